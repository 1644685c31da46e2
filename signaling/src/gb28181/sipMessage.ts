/**
 * SIP messages as GB/T 28181 devices send them over UDP (and TCP).
 *
 * Hand-written on purpose: the SIP parsers in npm (sip.js's and JsSIP's PEG
 * grammars) follow RFC 3261's host rule, where a top label must start with a
 * letter, and refuse `sip:34020000001320000001@3402000000` — the domain-code
 * host every GB/T 28181 device puts in its URIs. What the platform needs is
 * small: the start line, headers (compact forms too), the body by
 * Content-Length as bytes (MANSCDP is GB2312, not UTF-8), and the few header
 * fields it reads (tags, branch, CSeq, the user part of a URI).
 */
import { GbError } from './GbError.ts';

export interface SipRequest {
  type: 'request';
  method: string;
  uri: string;
  headers: SipHeaders;
  body: Buffer;
}

export interface SipResponse {
  type: 'response';
  status: number;
  reason: string;
  headers: SipHeaders;
  body: Buffer;
}

export type SipMessage = SipRequest | SipResponse;

const COMPACT: Record<string, string> = {
  v: 'via',
  f: 'from',
  t: 'to',
  i: 'call-id',
  m: 'contact',
  l: 'content-length',
  c: 'content-type',
  k: 'supported',
  s: 'subject',
};

/** Header fields by lower-case name, each with its values in order. */
export class SipHeaders {
  readonly #fields = new Map<string, string[]>();

  add(name: string, value: string): void {
    const key = COMPACT[name.toLowerCase()] ?? name.toLowerCase();
    const list = this.#fields.get(key) ?? [];
    list.push(value);
    this.#fields.set(key, list);
  }

  get(name: string): string | undefined {
    return this.#fields.get(name.toLowerCase())?.[0];
  }

  all(name: string): string[] {
    return this.#fields.get(name.toLowerCase()) ?? [];
  }

  /** A header the message cannot do without. */
  require(name: string): string {
    const value = this.get(name);
    if (value === undefined) throw new GbError('sip_malformed', `no ${name} header`);
    return value;
  }
}

/** Largest SIP message accepted (a UDP datagram's worth). */
export const MAX_SIP_BYTES = 65_535;

/**
 * Parses one message from its bytes. Headers are read as Latin-1 (byte for
 * byte: they are ASCII in practice); the body is the bytes Content-Length says.
 * Returns null when a stream (TCP) has not delivered the whole message yet,
 * with the number of bytes the message takes otherwise.
 */
export function parseSipMessage(data: Buffer): { message: SipMessage; size: number } | null {
  const headEnd = data.indexOf('\r\n\r\n');
  if (headEnd < 0) {
    if (data.length > MAX_SIP_BYTES) throw new GbError('sip_malformed', 'no end of headers');
    return null;
  }
  const lines = data.subarray(0, headEnd).toString('latin1').split('\r\n');
  const start = lines.shift() ?? '';
  const headers = new SipHeaders();
  for (const line of lines) {
    if (/^[ \t]/.test(line)) {
      // A folded continuation line (RFC 3261 §7.3.1) is rare; we join it to nothing rather than guess.
      continue;
    }
    const colon = line.indexOf(':');
    if (colon <= 0) throw new GbError('sip_malformed', `header line without a name: "${line.slice(0, 60)}"`);
    headers.add(line.slice(0, colon).trim(), line.slice(colon + 1).trim());
  }
  const lengthText = headers.get('content-length') ?? '0';
  const length = Number(lengthText);
  if (!Number.isInteger(length) || length < 0 || length > MAX_SIP_BYTES) {
    throw new GbError('sip_malformed', `bad Content-Length "${lengthText.slice(0, 20)}"`);
  }
  const size = headEnd + 4 + length;
  if (data.length < size) return null;
  const body = Buffer.from(data.subarray(headEnd + 4, size));
  const status = /^SIP\/2\.0 (\d{3}) ?(.*)$/.exec(start);
  if (status) {
    return { message: { type: 'response', status: Number(status[1]), reason: status[2] ?? '', headers, body }, size };
  }
  const request = /^([A-Z]+) (\S+) SIP\/2\.0$/.exec(start);
  if (!request) throw new GbError('sip_malformed', `bad start line "${start.slice(0, 60)}"`);
  const method = request[1] as string;
  return { message: { type: 'request', method, uri: request[2] as string, headers, body }, size };
}

/** `tag` (or another parameter) of a From/To/Via value. */
export function headerParam(value: string, name: string): string | undefined {
  const match = new RegExp(`;\\s*${name}(?:=([^;,\\s>]*))?`, 'i').exec(value.replace(/<[^>]*>/, ''));
  return match ? (match[1] ?? '') : undefined;
}

/** The URI of a name-addr (`"x" <sip:u@h>;tag=1` → `sip:u@h`). */
export function addressUri(value: string): string {
  const bracketed = /<([^>]*)>/.exec(value);
  return (bracketed ? (bracketed[1] as string) : (value.split(';')[0] as string)).trim();
}

/** The user part of a SIP URI (`sip:34020000001320000001@3402000000` → the 20 digits). */
export function uriUser(uri: string): string {
  return /^sips?:([^@;>]+)@/.exec(uri)?.[1] ?? '';
}

/** `CSeq: 2 MESSAGE` → { seq: 2, method: 'MESSAGE' }. */
export function readCSeq(headers: SipHeaders): { seq: number; method: string } {
  const match = /^(\d+)\s+([A-Z]+)$/.exec(headers.require('cseq'));
  if (!match) throw new GbError('sip_malformed', 'bad CSeq');
  return { seq: Number(match[1]), method: match[2] as string };
}

/** Writes a message: start line, headers in the given order, Content-Length, body. */
export function writeSipMessage(
  startLine: string,
  headers: [string, string][],
  body: Buffer = Buffer.alloc(0),
): Buffer {
  const head = [startLine, ...headers.map(([name, value]) => `${name}: ${value}`), `Content-Length: ${body.length}`];
  return Buffer.concat([Buffer.from(`${head.join('\r\n')}\r\n\r\n`, 'latin1'), body]);
}
