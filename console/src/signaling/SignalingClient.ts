/**
 * The socket.io connection to signaling. `request()` is the protocol's
 * request client: resolves with the ack's `data`, rejects with a ClientError
 * (ConsoleError) carrying the server's code, or `timeout`/`disconnected`.
 */
import type {
  ClientEventName,
  ClientEventResults,
  ClientPayload,
  ErrorCode,
  ServerToClientEvents,
} from '@beacon/protocol';
import { request } from '@beacon/protocol/request';
import { io, type Socket } from 'socket.io-client';
import { onTokenRenewed } from '../session.ts';

const DEFAULT_TIMEOUT_MS = 10_000;

/** What the socket may emit; `request()` narrows it per event with the protocol's types. */
type Emits = Record<ClientEventName, (payload: unknown, ack: (response: never) => void) => void>;

export interface SignalingDelegate {
  /** Connected (first time or after a reconnect): the room must be (re)joined. */
  onConnect(): void;
  onDisconnect(): void;
  /** The handshake was refused for the token: go back to login. */
  onAuthFailure(code: 'unauthorized' | 'token_expired'): void;
  /** Any other handshake failure; socket.io keeps retrying. */
  onConnectError(error: Error): void;
}

export class SignalingClient {
  readonly socket: Socket<ServerToClientEvents, Emits>;
  readonly #timeoutMs: number;
  readonly #stopFollowingToken: () => void;

  constructor(token: string, delegate: SignalingDelegate, timeoutMs = DEFAULT_TIMEOUT_MS) {
    this.#timeoutMs = timeoutMs;
    this.socket = io({ path: '/socket.io', transports: ['websocket'], auth: { token }, autoConnect: false });
    // The server closes a socket when its token expires: each renewed token is handed to it (and used to reconnect).
    this.#stopFollowingToken = onTokenRenewed((renewed) => this.#adoptToken(renewed));
    this.socket.on('connect', () => delegate.onConnect());
    this.socket.on('disconnect', (reason) => {
      if (reason !== 'io client disconnect') delegate.onDisconnect();
    });
    this.socket.on('connect_error', (error: Error & { data?: { code?: ErrorCode } }) => {
      const code = error.data?.code;
      if (code === 'unauthorized' || code === 'token_expired') delegate.onAuthFailure(code);
      else delegate.onConnectError(error);
    });
  }

  connect(): void {
    this.socket.connect();
  }

  close(): void {
    this.#stopFollowingToken();
    this.socket.removeAllListeners();
    this.socket.disconnect();
  }

  #adoptToken(token: string): void {
    this.socket.auth = { token };
    // Not connected: the next (re)connect presents the new token anyway.
    if (!this.socket.connected) return;
    this.request('auth:renew', { token }).catch((error: unknown) => {
      // It then closes at the old token's expiry; the page reconnects it with the new token (socket.auth).
      console.warn('the socket did not take the renewed token', error);
    });
  }

  get connected(): boolean {
    return this.socket.connected;
  }

  /** Sends an event without waiting for its ack (the page is going away). */
  notify<E extends ClientEventName>(event: E, payload: ClientPayload<E>): void {
    if (this.socket.connected) this.socket.emit(event as ClientEventName, payload, () => undefined);
  }

  /** Fails fast when not connected: the UI shows it at once instead of after the timeout. */
  request<E extends ClientEventName>(
    event: E,
    payload: ClientPayload<E>,
    timeoutMs = this.#timeoutMs,
  ): Promise<ClientEventResults[E]> {
    return request(this.socket, event, payload, { timeoutMs, failFast: true });
  }
}

export type RequestFn = SignalingClient['request'];
