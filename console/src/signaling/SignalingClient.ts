/**
 * The socket.io connection to signaling. `request()` turns the protocol's
 * ack convention into promises: resolves with `data`, rejects with a
 * ConsoleError carrying the server's code (or `timeout`/`disconnected`).
 */
import type {
  Ack,
  ClientEventName,
  ClientEventResults,
  ClientPayload,
  ErrorCode,
  ServerToClientEvents,
} from '@beacon/signaling/protocol';
import { io, type Socket } from 'socket.io-client';
import { ConsoleError } from '../errors.ts';

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

  constructor(token: string, delegate: SignalingDelegate, timeoutMs = DEFAULT_TIMEOUT_MS) {
    this.#timeoutMs = timeoutMs;
    this.socket = io({ path: '/socket.io', transports: ['websocket'], auth: { token }, autoConnect: false });
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
    this.socket.removeAllListeners();
    this.socket.disconnect();
  }

  get connected(): boolean {
    return this.socket.connected;
  }

  /** Sends an event without waiting for its ack (the page is going away). */
  notify<E extends ClientEventName>(event: E, payload: ClientPayload<E>): void {
    if (this.socket.connected) this.socket.emit(event as ClientEventName, payload, () => undefined);
  }

  request<E extends ClientEventName>(
    event: E,
    payload: ClientPayload<E>,
    timeoutMs = this.#timeoutMs,
  ): Promise<ClientEventResults[E]> {
    if (!this.socket.connected) return Promise.reject(ConsoleError.disconnected(event));
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => reject(ConsoleError.timeout(event)), timeoutMs);
      this.socket.emit(event as ClientEventName, payload, (ack: Ack<ClientEventResults[E]>) => {
        clearTimeout(timer);
        if (ack.ok) resolve(ack.data);
        else reject(new ConsoleError(ack.error.code, ack.error.message));
      });
    });
  }
}

export type RequestFn = SignalingClient['request'];
