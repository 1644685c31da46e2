/**
 * A minimal TURN client over UDP or TLS (RFC 5766, RFC 6062 §2 framing:
 * STUN messages back to back on the stream) for tests: Allocate with the
 * long-term credential challenge, CreatePermission, Send and Data
 * indications. Results carry the server's exact STUN error codes, so tests
 * can assert 401 vs 403 instead of "it failed".
 */
import { createSocket } from 'node:dgram';
import { type TLSSocket, connect as tlsConnect } from 'node:tls';
import {
  decodeStun,
  decodeXorAddress,
  encodeStun,
  encodeXorAddress,
  errorCodeOf,
  getAttribute,
  longTermKey,
  newTransactionId,
  StunAttr,
  type StunMessage,
  StunMethod,
  type TransportAddress,
  textAttribute,
} from '../../signaling/src/turn/stunMessage.ts';

export type TurnResult<T> = ({ ok: true } & T) | { ok: false; code: number; reason: string };

/** REQUESTED-TRANSPORT: UDP (protocol 17) in the first byte. */
const UDP_TRANSPORT = { type: StunAttr.RequestedTransport, value: Buffer.from([17, 0, 0, 0]) };

/** How packets reach the server: a datagram each, or a TLS stream that needs no retransmission. */
interface StunChannel {
  send(packet: Buffer): void;
  close(): void;
  reliable: boolean;
}

export class TurnTestClient {
  readonly #channel: StunChannel;
  readonly #pending = new Map<string, (message: StunMessage) => void>();
  readonly #data: { peer: TransportAddress; data: Buffer }[] = [];
  #dataWaiter: (() => void) | null = null;
  #auth: { key: Buffer; username: string; realm: string; nonce: string } | null = null;

  private constructor(channel: StunChannel) {
    this.#channel = channel;
  }

  static async open(server: TransportAddress): Promise<TurnTestClient> {
    const socket = createSocket('udp4');
    await new Promise<void>((resolve) => socket.bind(0, '127.0.0.1', resolve));
    const client = new TurnTestClient({
      send: (packet) => socket.send(packet, server.port, server.address),
      close: () => socket.close(),
      reliable: false,
    });
    socket.on('message', (packet) => client.#onPacket(packet));
    return client;
  }

  /**
   * Over TLS (`turns:`), verifying the server's certificate against `ca` for
   * `server.address` as a browser would; rejects when the handshake fails.
   */
  static async openTls(server: TransportAddress, ca: string): Promise<TurnTestClient> {
    const socket = await new Promise<TLSSocket>((resolve, reject) => {
      const s = tlsConnect({ host: server.address, port: server.port, ca, minVersion: 'TLSv1.2' }, () => resolve(s));
      s.once('error', reject);
    });
    const client = new TurnTestClient({
      send: (packet) => socket.write(packet),
      close: () => socket.destroy(),
      reliable: true,
    });
    let buffered = Buffer.alloc(0);
    socket.on('data', (chunk: Buffer) => {
      buffered = Buffer.concat([buffered, chunk]);
      // A STUN message is its 20-byte header plus the length in bytes 2-3.
      while (buffered.length >= 20 && buffered.length >= 20 + buffered.readUInt16BE(2)) {
        const length = 20 + buffered.readUInt16BE(2);
        client.#onPacket(buffered.subarray(0, length));
        buffered = buffered.subarray(length);
      }
    });
    socket.on('error', () => undefined);
    return client;
  }

  /**
   * Allocate: first without credentials (the server answers 401 with realm
   * and nonce), then — when `credentials` are given — with them.
   */
  async allocate(credentials?: {
    username: string;
    password: string;
  }): Promise<TurnResult<{ relayed: TransportAddress }>> {
    const challenge = await this.#request(StunMethod.Allocate, [UDP_TRANSPORT]);
    const challengeError = errorCodeOf(challenge);
    if (challenge.cls !== 'Error' || !challengeError) throw new Error('expected a 401 challenge first');
    if (!credentials) return { ok: false, ...challengeError };
    const realm = getAttribute(challenge, StunAttr.Realm)?.toString('utf8') ?? '';
    const nonce = getAttribute(challenge, StunAttr.Nonce)?.toString('utf8') ?? '';
    this.#auth = {
      key: longTermKey(credentials.username, realm, credentials.password),
      username: credentials.username,
      realm,
      nonce,
    };
    const response = await this.#request(StunMethod.Allocate, [UDP_TRANSPORT]);
    const error = errorCodeOf(response);
    if (response.cls === 'Error') return { ok: false, ...(error ?? { code: 0, reason: 'no ERROR-CODE' }) };
    const relayed = getAttribute(response, StunAttr.XorRelayedAddress);
    if (!relayed) throw new Error('Allocate success without XOR-RELAYED-ADDRESS');
    return { ok: true, relayed: decodeXorAddress(relayed, response.transactionId) };
  }

  async createPermission(peerAddress: string): Promise<TurnResult<object>> {
    const response = await this.#request(StunMethod.CreatePermission, [], (tid) => [
      encodeXorAddress(StunAttr.XorPeerAddress, { address: peerAddress, port: 0 }, tid),
    ]);
    if (response.cls !== 'Error') return { ok: true };
    return { ok: false, ...(errorCodeOf(response) ?? { code: 0, reason: 'no ERROR-CODE' }) };
  }

  /** A Send indication: the server relays `data` to `peer` from our relayed address. */
  send(peer: TransportAddress, data: Buffer): void {
    const transactionId = newTransactionId();
    const packet = encodeStun({
      method: StunMethod.Send,
      cls: 'Indication',
      transactionId,
      attributes: [
        encodeXorAddress(StunAttr.XorPeerAddress, peer, transactionId),
        { type: StunAttr.Data, value: data },
      ],
    });
    this.#channel.send(packet);
  }

  /** The next Data indication (what a peer sent to our relayed address). */
  async nextData(timeoutMs = 3000): Promise<{ peer: TransportAddress; data: Buffer }> {
    const deadline = Date.now() + timeoutMs;
    while (this.#data.length === 0) {
      if (Date.now() > deadline) throw new Error(`no Data indication within ${timeoutMs} ms`);
      await new Promise<void>((resolve) => {
        this.#dataWaiter = resolve;
        setTimeout(resolve, 100);
      });
    }
    return this.#data.shift() as { peer: TransportAddress; data: Buffer };
  }

  close(): void {
    this.#channel.close();
  }

  async #request(
    method: number,
    attributes: StunMessage['attributes'],
    withTid?: (tid: Buffer) => StunMessage['attributes'],
  ): Promise<StunMessage> {
    const transactionId = newTransactionId();
    const auth = this.#auth;
    const all = [
      ...attributes,
      ...(withTid?.(transactionId) ?? []),
      ...(auth
        ? [
            textAttribute(StunAttr.Username, auth.username),
            textAttribute(StunAttr.Realm, auth.realm),
            textAttribute(StunAttr.Nonce, auth.nonce),
          ]
        : []),
    ];
    const packet = encodeStun(
      { method, cls: 'Request', transactionId, attributes: all },
      auth ? { integrityKey: auth.key, fingerprint: true } : { fingerprint: true },
    );
    const key = transactionId.toString('hex');
    return new Promise<StunMessage>((resolve, reject) => {
      let tries = 0;
      // UDP: retransmit a few times (RFC 5389 does, with back-off) before giving up; a stream only waits.
      const send = () => {
        if (tries++ === (this.#channel.reliable ? 1 : 4)) {
          this.#pending.delete(key);
          reject(new Error(`no answer to STUN method 0x${method.toString(16)}`));
          return;
        }
        if (tries === 1 || !this.#channel.reliable) this.#channel.send(packet);
        timer = setTimeout(send, this.#channel.reliable ? 3000 : 500);
      };
      let timer: NodeJS.Timeout | undefined;
      this.#pending.set(key, (message) => {
        clearTimeout(timer);
        this.#pending.delete(key);
        resolve(message);
      });
      send();
    });
  }

  #onPacket(packet: Buffer): void {
    const message = decodeStun(packet);
    if (!message) return;
    if (message.cls === 'Indication' && message.method === StunMethod.Data) {
      const peer = getAttribute(message, StunAttr.XorPeerAddress);
      const data = getAttribute(message, StunAttr.Data);
      if (peer && data) {
        this.#data.push({ peer: decodeXorAddress(peer, message.transactionId), data: Buffer.from(data) });
        this.#dataWaiter?.();
      }
      return;
    }
    this.#pending.get(message.transactionId.toString('hex'))?.(message);
  }
}
