/**
 * The few STUN/TURN messages Beacon speaks itself (RFC 5389 / RFC 5766):
 * a Binding request to see that coturn answers, and — in tests — Allocate,
 * CreatePermission and Send/Data indications with long-term credentials.
 * Not a general STUN stack: unknown attributes are kept raw.
 *
 *   0                   1                   2                   3
 *   |0 0|  message type (14)       |         message length         |
 *   |                    magic cookie 0x2112A442                    |
 *   |                 transaction id (96 bits)                      |
 *   |  attributes: type (16) | length (16) | value, padded to 4 …   |
 */
import { createHash, createHmac, randomBytes } from 'node:crypto';
import { isIPv4 } from 'node:net';
import { crc32 } from 'node:zlib';

export const MAGIC_COOKIE = 0x2112a442;
const HEADER_BYTES = 20;
const FINGERPRINT_XOR = 0x5354554e;

export const StunMethod = {
  Binding: 0x001,
  Allocate: 0x003,
  Refresh: 0x004,
  Send: 0x006,
  Data: 0x007,
  CreatePermission: 0x008,
} as const;

export const StunClass = { Request: 0, Indication: 1, Success: 2, Error: 3 } as const;
export type StunClassName = keyof typeof StunClass;

export const StunAttr = {
  Username: 0x0006,
  MessageIntegrity: 0x0008,
  ErrorCode: 0x0009,
  Lifetime: 0x000d,
  XorPeerAddress: 0x0012,
  Data: 0x0013,
  Realm: 0x0014,
  Nonce: 0x0015,
  XorRelayedAddress: 0x0016,
  RequestedTransport: 0x0019,
  XorMappedAddress: 0x0020,
  Fingerprint: 0x8028,
} as const;

export interface StunMessage {
  method: number;
  cls: StunClassName;
  transactionId: Buffer;
  attributes: { type: number; value: Buffer }[];
}

export interface TransportAddress {
  address: string;
  port: number;
}

/** The long-term credential key: MD5(username ":" realm ":" password) (RFC 5389 §15.4). */
export function longTermKey(username: string, realm: string, password: string): Buffer {
  return createHash('md5').update(`${username}:${realm}:${password}`).digest();
}

export function newTransactionId(): Buffer {
  return randomBytes(12);
}

function messageType(method: number, cls: StunClassName): number {
  const c = StunClass[cls];
  // The class bits sit at positions 4 and 8, between the method's bits.
  return (method & 0x000f) | ((method & 0x0070) << 1) | ((method & 0x0f80) << 2) | ((c & 1) << 4) | ((c & 2) << 7);
}

function attribute(type: number, value: Buffer): Buffer {
  const padded = Buffer.alloc(4 + Math.ceil(value.length / 4) * 4);
  padded.writeUInt16BE(type, 0);
  padded.writeUInt16BE(value.length, 2);
  value.copy(padded, 4);
  return padded;
}

/**
 * Encodes a message; `integrityKey` appends MESSAGE-INTEGRITY (long-term
 * credentials), `fingerprint` appends FINGERPRINT last (coturn checks it when present).
 */
export function encodeStun(
  message: Omit<StunMessage, 'transactionId'> & { transactionId?: Buffer },
  opts: { integrityKey?: Buffer; fingerprint?: boolean } = {},
): Buffer {
  const header = Buffer.alloc(HEADER_BYTES);
  header.writeUInt16BE(messageType(message.method, message.cls), 0);
  header.writeUInt32BE(MAGIC_COOKIE, 4);
  (message.transactionId ?? newTransactionId()).copy(header, 8);
  let body = Buffer.concat(message.attributes.map((a) => attribute(a.type, a.value)));
  const withLength = (extra: number) => {
    header.writeUInt16BE(body.length + extra, 2);
    return Buffer.concat([header, body]);
  };
  if (opts.integrityKey) {
    // The HMAC covers the message with its length already counting the 24-byte MESSAGE-INTEGRITY.
    const hmac = createHmac('sha1', opts.integrityKey).update(withLength(24)).digest();
    body = Buffer.concat([body, attribute(StunAttr.MessageIntegrity, hmac)]);
  }
  if (opts.fingerprint) {
    const crc = (crc32(withLength(8)) ^ FINGERPRINT_XOR) >>> 0;
    const value = Buffer.alloc(4);
    value.writeUInt32BE(crc, 0);
    body = Buffer.concat([body, attribute(StunAttr.Fingerprint, value)]);
  }
  return withLength(0);
}

/** Decodes one message; null for anything that is not STUN (wrong cookie, truncated). */
export function decodeStun(packet: Buffer): StunMessage | null {
  if (packet.length < HEADER_BYTES || (packet[0] ?? 0) & 0xc0) return null;
  if (packet.readUInt32BE(4) !== MAGIC_COOKIE) return null;
  const length = packet.readUInt16BE(2);
  if (packet.length < HEADER_BYTES + length) return null;
  const type = packet.readUInt16BE(0);
  const method = (type & 0x000f) | ((type & 0x00e0) >> 1) | ((type & 0x3e00) >> 2);
  const c = ((type & 0x0010) >> 4) | ((type & 0x0100) >> 7);
  const cls = (Object.keys(StunClass) as StunClassName[]).find((name) => StunClass[name] === c) ?? 'Request';
  const attributes: StunMessage['attributes'] = [];
  for (let offset = HEADER_BYTES; offset + 4 <= HEADER_BYTES + length; ) {
    const attrType = packet.readUInt16BE(offset);
    const attrLength = packet.readUInt16BE(offset + 2);
    attributes.push({ type: attrType, value: packet.subarray(offset + 4, offset + 4 + attrLength) });
    offset += 4 + Math.ceil(attrLength / 4) * 4;
  }
  return { method, cls, transactionId: packet.subarray(8, 20), attributes };
}

export function getAttribute(message: StunMessage, type: number): Buffer | undefined {
  return message.attributes.find((a) => a.type === type)?.value;
}

/** ERROR-CODE as a number (401, 403, 438, …) and its reason phrase. */
export function errorCodeOf(message: StunMessage): { code: number; reason: string } | null {
  const value = getAttribute(message, StunAttr.ErrorCode);
  if (!value || value.length < 4) return null;
  return { code: ((value[2] ?? 0) & 0x07) * 100 + (value[3] ?? 0), reason: value.subarray(4).toString('utf8') };
}

export function textAttribute(type: number, text: string): { type: number; value: Buffer } {
  return { type, value: Buffer.from(text, 'utf8') };
}

/** XOR-MAPPED-ADDRESS, XOR-PEER-ADDRESS and XOR-RELAYED-ADDRESS share this encoding. */
export function encodeXorAddress(type: number, where: TransportAddress, transactionId: Buffer) {
  const v4 = isIPv4(where.address);
  const value = Buffer.alloc(v4 ? 8 : 20);
  value.writeUInt8(v4 ? 1 : 2, 1);
  value.writeUInt16BE(where.port ^ (MAGIC_COOKIE >>> 16), 2);
  const mask = xorMask(transactionId);
  for (const [i, byte] of addressBytes(where.address).entries()) value.writeUInt8(byte ^ (mask[i] ?? 0), 4 + i);
  return { type, value };
}

export function decodeXorAddress(value: Buffer, transactionId: Buffer): TransportAddress {
  const family = value.readUInt8(1);
  const port = value.readUInt16BE(2) ^ (MAGIC_COOKIE >>> 16);
  const mask = xorMask(transactionId);
  const raw = [...value.subarray(4, family === 1 ? 8 : 20)].map((byte, i) => byte ^ (mask[i] ?? 0));
  if (family === 1) return { address: raw.join('.'), port };
  const groups: string[] = [];
  for (let i = 0; i < 16; i += 2) groups.push((((raw[i] ?? 0) << 8) | (raw[i + 1] ?? 0)).toString(16));
  return { address: groups.join(':'), port };
}

function xorMask(transactionId: Buffer): Buffer {
  const cookie = Buffer.alloc(4);
  cookie.writeUInt32BE(MAGIC_COOKIE, 0);
  return Buffer.concat([cookie, transactionId]);
}

function addressBytes(address: string): number[] {
  if (isIPv4(address)) return address.split('.').map(Number);
  const [head = '', tail = ''] = address.split('::');
  const part = (s: string) => (s === '' ? [] : s.split(':').map((g) => Number.parseInt(g, 16)));
  const left = part(head);
  const right = address.includes('::') ? part(tail) : [];
  const groups = [...left, ...Array(8 - left.length - right.length).fill(0), ...right];
  return groups.flatMap((g) => [(g >> 8) & 0xff, g & 0xff]);
}
