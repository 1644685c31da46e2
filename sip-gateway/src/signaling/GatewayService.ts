/**
 * The gateway's own service socket to signaling (role `service`): numbers,
 * PINs, leg tokens, room taps for the mixer, registrations and dial-outs.
 * Calls never ride on it: each call has its own LegConnection.
 */
import { TypedEmitter } from '@beacon/common';
import {
  type AlertCallRequest,
  type BroadcastRequest,
  type ClientPayload,
  type ClientToServerEvents,
  type DialRequest,
  type DialState,
  request,
  type ServerToClientEvents,
  type TapStream,
  type UpstreamControl,
  type UpstreamDialRequest,
} from '@beacon/protocol';
import { io, type Socket } from 'socket.io-client';
import { createLogger } from '../logger.ts';

const logger = createLogger('GatewayService');

export type GatewayServiceEvents = {
  /** Connected again after a drop: taps were closed by signaling and must be re-opened. */
  reconnected: [];
  disconnected: [reason: string];
  tapStream: [roomId: string, stream: TapStream];
  tapEnded: [roomId: string, producerId: string];
  dial: [DialRequest];
  /** Read an alert to a township's phone; pressing 1 acknowledges. */
  alertCall: [AlertCallRequest];
  /** Call a loudspeaker and play a broadcast (auto-answer, no key). */
  broadcast: [BroadcastRequest];
  /** Phone credentials changed: resync Kamailio's subscriber table. */
  credentials: [];
  /** Dial a room's upstream conference (上联). */
  upstream: [UpstreamDialRequest];
  /** Hang up, mute or unmute an upstream call. */
  upstreamControl: [UpstreamControl];
};

export type SipStatusReport = ClientPayload<'sip:status'>;

/** A socket to signaling (the service socket, a leg's socket), typed by the protocol. */
export type SignalingSocket = Socket<ServerToClientEvents, ClientToServerEvents>;

export class GatewayService extends TypedEmitter<GatewayServiceEvents> {
  readonly #socket: SignalingSocket;
  readonly #token: () => string;
  #everConnected = false;
  /** The token the current connection was opened with: signaling closes the socket when it expires. */
  #offered = '';
  #connectedWith = '';

  private constructor(signalingUrl: string, token: string | (() => string)) {
    super();
    this.#token = typeof token === 'string' ? () => token : token;
    this.#socket = io(signalingUrl, {
      // A function: every reconnection presents the newest token (signaling renews it, see ParentToken).
      auth: (cb) => {
        this.#offered = this.#token();
        cb({ token: this.#offered });
      },
      transports: ['websocket'],
      reconnectionDelay: 500,
      reconnectionDelayMax: 3000,
    }) as SignalingSocket;
    this.#socket.on('sip:tap:stream', ({ roomId, stream }) => this.safeEmit('tapStream', roomId, stream));
    this.#socket.on('sip:tap:ended', ({ roomId, producerId }) => this.safeEmit('tapEnded', roomId, producerId));
    this.#socket.on('sip:dial', (dial) => this.safeEmit('dial', dial));
    this.#socket.on('sip:alertCall', (request) => this.safeEmit('alertCall', request));
    this.#socket.on('sip:broadcast', (request) => this.safeEmit('broadcast', request));
    this.#socket.on('sip:credentials', () => this.safeEmit('credentials'));
    this.#socket.on('sip:upstream', (request) => this.safeEmit('upstream', request));
    this.#socket.on('sip:upstream:control', (control) => this.safeEmit('upstreamControl', control));
    this.#socket.on('connect', () => {
      this.#connectedWith = this.#offered;
      if (this.#everConnected) {
        logger.info('service socket reconnected');
        this.safeEmit('reconnected');
      }
      this.#everConnected = true;
    });
    this.#socket.on('disconnect', (reason) => {
      logger.warn({ reason }, 'service socket disconnected');
      this.safeEmit('disconnected', reason);
    });
  }

  /** Resolves once connected; a refused token rejects (no point retrying it). */
  static connect(signalingUrl: string, token: string | (() => string)): Promise<GatewayService> {
    const service = new GatewayService(signalingUrl, token);
    return new Promise((resolve, reject) => {
      service.#socket.once('connect', () => resolve(service));
      service.#socket.once('connect_error', (err: Error & { data?: { code?: string } }) => {
        if (err.data?.code) {
          service.close();
          reject(new Error(`signaling refused the gateway token: ${err.data.code}`));
        }
        // Otherwise (signaling not up yet) socket.io keeps retrying.
      });
    });
  }

  get connected(): boolean {
    return this.#socket.connected;
  }

  /**
   * Signaling closes the service socket when the token it was opened with
   * expires; the gateway then reconnects with a renewed one, but the drop
   * re-taps every room (phones miss a second of the browsers). So, while
   * nothing is in progress (`idle`: no call, no tapped room) and the
   * connection's token is past half its life while a later one is at hand,
   * reconnect now. Returns whether it did.
   */
  refreshIfDue(idle: boolean, now = Date.now()): boolean {
    if (!idle || !this.#socket.connected) return false;
    const current = tokenLife(this.#connectedWith);
    const newest = tokenLife(this.#token());
    if (current === null || newest === null || newest.exp <= current.exp) return false;
    if (now / 1000 < (current.iat + current.exp) / 2) return false;
    logger.info('reconnecting the service socket with a renewed token while idle');
    this.#socket.disconnect().connect();
    return true;
  }

  resolveNumber(number: string) {
    return request(this.#socket, 'sip:resolve', { number });
  }

  /** A call from a trusted peer `source`: is it the upstream conference calling in (上联)? */
  upstreamIn(number: string, callId: string, source: string) {
    return request(this.#socket, 'sip:upstreamIn', { number, callId, source });
  }

  /** `caller`: the extension (or address) keying the PIN, for the audit. */
  enter(number: string, pin: string, caller?: string) {
    return request(this.#socket, 'sip:enter', { number, pin, caller });
  }

  /** Best effort (the gateway's own log has it too): signaling audits it. */
  reportPinLockout(lockout: ClientPayload<'sip:pinLockout'>): void {
    if (!this.#socket.connected) return;
    request(this.#socket, 'sip:pinLockout', lockout).catch((err: unknown) =>
      logger.warn({ err, lockout }, 'PIN lockout not delivered to the audit'),
    );
  }

  legToken(input: ClientPayload<'sip:legToken'>) {
    return request(this.#socket, 'sip:legToken', input);
  }

  async tap(roomId: string, ip: string, port: number): Promise<TapStream[]> {
    return (await request(this.#socket, 'sip:tap', { roomId, ip, port })).streams;
  }

  async untap(roomId: string): Promise<void> {
    if (!this.#socket.connected) return;
    await request(this.#socket, 'sip:untap', { roomId }).catch((err: unknown) =>
      logger.debug({ err, roomId }, 'untap not delivered'),
    );
  }

  subscribers() {
    return request(this.#socket, 'sip:subscribers', {});
  }

  async reportStatus(report: SipStatusReport): Promise<void> {
    if (!this.#socket.connected) return;
    await request(this.#socket, 'sip:status', report).catch((err: unknown) =>
      logger.warn({ err }, 'status report not delivered'),
    );
  }

  reportDialState(requestId: string, state: DialState, reason: string | null = null): void {
    if (!this.#socket.connected) return;
    request(this.#socket, 'sip:dialState', { requestId, state, reason }).catch((err: unknown) =>
      logger.debug({ err, requestId, state }, 'dial state not delivered'),
    );
  }

  /** The phone pressed 1: resolves once signaling has stored the ack. */
  alertAck(alert: AlertCallRequest) {
    const { warningId, townshipId, extension } = alert;
    return request(this.#socket, 'sip:alertAck', { warningId, townshipId, extension });
  }

  reportAlertCallState(alert: AlertCallRequest, state: DialState, reason: string | null = null): void {
    if (!this.#socket.connected) return;
    const { warningId, townshipId, extension } = alert;
    request(this.#socket, 'sip:alertCallState', { warningId, townshipId, extension, state, reason }).catch(
      (err: unknown) => logger.debug({ err, warningId, state }, 'alert call state not delivered'),
    );
  }

  reportBroadcastState(broadcast: BroadcastRequest, state: DialState, reason: string | null = null): void {
    if (!this.#socket.connected) return;
    const { callId, attempt } = broadcast;
    request(this.#socket, 'sip:broadcastState', { callId, attempt, state, reason }).catch((err: unknown) =>
      logger.debug({ err, callId, state }, 'broadcast state not delivered'),
    );
  }

  close(): void {
    this.#socket.disconnect();
    this.removeAllListeners();
  }
}

/** `iat`/`exp` of a JWT, read without verifying (signaling verifies; this only schedules a reconnect). */
export function tokenLife(token: string): { iat: number; exp: number } | null {
  try {
    const payload = JSON.parse(Buffer.from(token.split('.')[1] ?? '', 'base64url').toString('utf8'));
    return typeof payload?.iat === 'number' && typeof payload?.exp === 'number'
      ? { iat: payload.iat, exp: payload.exp }
      : null;
  } catch {
    return null;
  }
}
