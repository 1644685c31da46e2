/**
 * The platform's SIP transports: a UDP socket and, on the same port by
 * default, a TCP listener (RFC 3261 §18: many NVRs are set to SIP over TCP).
 * Requests from devices go to the handler with the peer they came from —
 * address and transport — and answers go back the same way: over TCP on the
 * very connection, which is kept and reused for our requests to that device
 * (a device registered over TCP is reached over TCP). Requests we send are
 * client transactions matched by Via branch; over UDP they are sent again on
 * RFC 3261's timer A schedule (0.5 s doubling) until a final response or
 * `timeoutMs`, over TCP once. Datagrams that do not parse are logged and
 * dropped; a TCP stream that cannot be framed is logged with its code and its
 * connection closed: nothing a device sends can throw out of here.
 */
import { randomBytes } from 'node:crypto';
import dgram from 'node:dgram';
import { createLogger } from '../logger.ts';
import { GbError } from './GbError.ts';
import { SipTcpTransport } from './SipTcpTransport.ts';
import {
  headerParam,
  parseSipMessage,
  type SipMessage,
  type SipRequest,
  type SipResponse,
  writeSipMessage,
} from './sipMessage.ts';

const logger = createLogger('gb28181');

export interface SipPeer {
  ip: string;
  port: number;
  /** How the peer talks to us; absent is UDP. Over TCP, `ip:port` names the connection's far end. */
  transport?: 'udp' | 'tcp';
}

export interface SipEndpointOptions {
  host: string;
  /** UDP port (0: any free one); TCP listens on the same number. */
  port: number;
  /** Listen for SIP over TCP too; default true. */
  tcp?: boolean;
  timeoutMs?: number;
  /** Most TCP connections from devices at once; default 4096 (a further one is closed on arrival). */
  maxTcpConnections?: number;
  /** A TCP connection silent this long is closed; default 5 min. */
  tcpIdleMs?: number;
}

export interface OutgoingRequest {
  method: string;
  uri: string;
  /** Headers besides Via, Max-Forwards and Content-Length, in order. */
  headers: [string, string][];
  body?: Buffer;
}

interface Pending {
  resolve(response: SipResponse): void;
  reject(error: Error): void;
  timer: NodeJS.Timeout;
  retransmit: NodeJS.Timeout | null;
}

export const newBranch = () => `z9hG4bK${randomBytes(8).toString('hex')}`;
export const newTag = () => randomBytes(6).toString('hex');

export class SipEndpoint {
  #socket = dgram.createSocket('udp4');
  #tcp: SipTcpTransport | null = null;
  readonly #pending = new Map<string, Pending>();
  #onRequest: (request: SipRequest, from: SipPeer) => void = () => undefined;
  #address: SipPeer = { ip: '0.0.0.0', port: 0 };

  constructor(private readonly opts: SipEndpointOptions) {}

  async start(onRequest: (request: SipRequest, from: SipPeer) => void): Promise<SipPeer> {
    this.#onRequest = onRequest;
    // With port 0 the UDP port is the system's pick and TCP may find that number taken: pick again.
    for (let attempt = 1; ; attempt++) {
      await this.#bindUdp();
      if (this.opts.tcp === false) break;
      const tcp = new SipTcpTransport((message, from) => this.#dispatch(message, from), {
        maxConnections: this.opts.maxTcpConnections,
        idleMs: this.opts.tcpIdleMs,
      });
      try {
        await tcp.listen(this.#socket.address().port, this.opts.host);
        this.#tcp = tcp;
        break;
      } catch (err) {
        if (this.opts.port !== 0 || attempt >= 5 || (err as NodeJS.ErrnoException).code !== 'EADDRINUSE') {
          this.#socket.close();
          throw err;
        }
        this.#socket.close();
        this.#socket = dgram.createSocket('udp4');
      }
    }
    const bound = this.#socket.address();
    this.#address = { ip: bound.address, port: bound.port };
    return this.#address;
  }

  async #bindUdp(): Promise<void> {
    this.#socket.on('message', (data, rinfo) => this.#receive(data, { ip: rinfo.address, port: rinfo.port }));
    this.#socket.on('error', (err) => logger.warn({ err }, 'SIP socket error'));
    await new Promise<void>((resolve, reject) => {
      this.#socket.once('error', reject);
      this.#socket.bind(this.opts.port, this.opts.host, () => {
        this.#socket.off('error', reject);
        resolve();
      });
    });
  }

  /** Whether SIP over TCP is accepted (on the same port as UDP). */
  get tcp(): boolean {
    return this.#tcp !== null;
  }

  /** Open TCP connections from devices. */
  get tcpConnections(): number {
    return this.#tcp?.connections ?? 0;
  }

  get port(): number {
    return this.#address.port;
  }

  close(): void {
    for (const pending of this.#pending.values()) {
      clearTimeout(pending.timer);
      if (pending.retransmit) clearTimeout(pending.retransmit);
      pending.reject(new GbError('device_timeout', 'platform stopped'));
    }
    this.#pending.clear();
    this.#socket.close();
    this.#tcp?.close();
  }

  /** Sends bytes to a peer the way it talks to us; a TCP peer whose connection is gone is `device_offline`. */
  send(bytes: Buffer, to: SipPeer): void {
    if (to.transport !== 'tcp') {
      this.#socket.send(bytes, to.port, to.ip);
      return;
    }
    if (!this.#tcp) throw new GbError('device_offline', 'SIP over TCP is off');
    this.#tcp.send(bytes, to);
  }

  /** Answers a request: Via, From, To (with our tag when given), Call-ID and CSeq copied. */
  respond(
    request: SipRequest,
    to: SipPeer,
    status: number,
    reason: string,
    extra: [string, string][] = [],
    body?: Buffer,
  ) {
    const h = request.headers;
    const toValue = h.require('to');
    const headers: [string, string][] = [
      ...h.all('via').map((via, index): [string, string] => ['Via', index === 0 ? stampVia(via, to) : via]),
      ['From', h.require('from')],
      ['To', headerParam(toValue, 'tag') === undefined ? `${toValue};tag=${newTag()}` : toValue],
      ['Call-ID', h.require('call-id')],
      ['CSeq', h.require('cseq')],
      ['User-Agent', 'Beacon'],
      ...extra,
    ];
    this.send(writeSipMessage(`SIP/2.0 ${status} ${reason}`, headers, body), to);
  }

  /** Sends a request and resolves with its final response (provisional ones are skipped). */
  request(to: SipPeer, outgoing: OutgoingRequest): Promise<SipResponse> {
    const branch = newBranch();
    const bytes = writeSipMessage(
      `${outgoing.method} ${outgoing.uri} SIP/2.0`,
      [
        ['Via', `${this.#via(to)};rport;branch=${branch}`],
        ['Max-Forwards', '70'],
        ...outgoing.headers,
        ['User-Agent', 'Beacon'],
      ],
      outgoing.body,
    );
    return new Promise((resolve, reject) => {
      const timeoutMs = this.opts.timeoutMs ?? 8000;
      let interval = 500;
      const pending: Pending = {
        resolve,
        reject,
        retransmit: null,
        timer: setTimeout(() => {
          this.#settle(branch);
          reject(new GbError('device_timeout', `no answer to ${outgoing.method} in ${timeoutMs} ms`));
        }, timeoutMs),
      };
      const again = () => {
        if (to.transport === 'tcp') return;
        pending.retransmit = setTimeout(() => {
          this.send(bytes, to);
          interval = Math.min(interval * 2, 4000);
          again();
        }, interval);
      };
      // ACK is never answered and TCP needs no retransmission; everything else over UDP does.
      this.#pending.set(branch, pending);
      try {
        this.send(bytes, to);
      } catch (err) {
        this.#settle(branch);
        reject(err);
        return;
      }
      again();
    });
  }

  /** Sends a request that has no response (ACK). */
  fire(to: SipPeer, outgoing: OutgoingRequest): void {
    this.send(
      writeSipMessage(
        `${outgoing.method} ${outgoing.uri} SIP/2.0`,
        [['Via', `${this.#via(to)};rport;branch=${newBranch()}`], ['Max-Forwards', '70'], ...outgoing.headers],
        outgoing.body,
      ),
      to,
    );
  }

  #via(to: SipPeer): string {
    return `SIP/2.0/${to.transport === 'tcp' ? 'TCP' : 'UDP'} ${this.#advertised()}`;
  }

  #advertised(): string {
    return `${this.#address.ip === '0.0.0.0' ? '127.0.0.1' : this.#address.ip}:${this.#address.port}`;
  }

  #settle(branch: string): Pending | undefined {
    const pending = this.#pending.get(branch);
    if (!pending) return undefined;
    clearTimeout(pending.timer);
    if (pending.retransmit) clearTimeout(pending.retransmit);
    this.#pending.delete(branch);
    return pending;
  }

  #receive(data: Buffer, from: SipPeer): void {
    let parsed: ReturnType<typeof parseSipMessage>;
    try {
      parsed = parseSipMessage(data);
      if (!parsed) throw new GbError('sip_malformed', 'datagram ends inside the message');
    } catch (err) {
      logger.debug({ err, from }, 'SIP datagram dropped');
      return;
    }
    this.#dispatch(parsed.message, from);
  }

  #dispatch(message: SipMessage, from: SipPeer): void {
    try {
      if (message.type === 'request') {
        this.#onRequest(message, from);
        return;
      }
      const branch = headerParam(message.headers.require('via'), 'branch') ?? '';
      const pending = this.#pending.get(branch);
      if (!pending) return;
      if (message.status < 200) {
        // A provisional answer: the device is working on it, stop repeating the request.
        if (pending.retransmit) clearTimeout(pending.retransmit);
        pending.retransmit = null;
        return;
      }
      this.#settle(branch)?.resolve(message);
    } catch (err) {
      logger.debug({ err, from }, 'SIP message dropped');
    }
  }
}

/** RFC 3581: tell the device the address its request came from (it may sit behind NAT). */
function stampVia(via: string, from: SipPeer): string {
  return via
    .replace(/;rport(?=;|$)/, `;rport=${from.port}`)
    .concat(via.includes('received=') ? '' : `;received=${from.ip}`);
}
