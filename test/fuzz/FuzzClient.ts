/**
 * One signed-in role's socket under fuzz: sends payloads with a bounded
 * number of acks outstanding, reconnects when the server closes it (a body
 * over socket.io's buffer limit does that, by design), learns ids from what
 * comes back, and tallies every outcome in the shared figures.
 */
import { io, type Socket } from 'socket.io-client';
import type { IdPool } from './idPool.ts';
import type { FuzzPayload } from './mutations.ts';
import type { SocketFigures } from './socketFigures.ts';

const UNKNOWN_EVENT_WAIT_MS = 1_000;

export interface FuzzClientOptions {
  url: string;
  label: string;
  token: string;
  ackTimeoutMs: number;
  /** Joined on every (re)connect, so the room events reach a room's handlers. */
  roomId: string | null;
  ids: IdPool;
  figures: SocketFigures;
}

export class FuzzClient {
  readonly label: string;
  readonly #options: FuzzClientOptions;
  #socket: Socket | null = null;
  /** Acks outstanding on the current socket: settled as lost when it disconnects. */
  readonly #pending = new Map<number, (outcome: 'lost') => void>();
  #nextId = 0;
  #connecting: Promise<void> | null = null;

  constructor(options: FuzzClientOptions) {
    this.label = options.label;
    this.#options = options;
  }

  get inFlight(): number {
    return this.#pending.size;
  }

  async connect(): Promise<void> {
    const { url, token, ids, figures } = this.#options;
    const socket = io(url, {
      path: '/socket.io',
      transports: ['websocket'],
      auth: { token },
      reconnection: false,
      forceNew: true,
    });
    socket.onAny((_event: string, data: unknown) => ids.learn(data));
    socket.on('disconnect', (reason) => {
      if (this.#socket !== socket) return;
      this.#socket = null;
      figures.count(figures.disconnects, `${this.label}: ${reason}`);
      for (const settle of this.#pending.values()) settle('lost');
      this.#pending.clear();
    });
    socket.on('session:closed', (body: { code?: string }) => {
      figures.count(figures.disconnects, `${this.label}: session:closed ${body?.code ?? '?'}`);
    });
    await new Promise<void>((resolve, reject) => {
      socket.once('connect', () => resolve());
      socket.once('connect_error', (err) => {
        socket.close();
        reject(err);
      });
    });
    this.#socket = socket;
    if (this.#options.roomId) {
      socket.emit('room:join', { roomId: this.#options.roomId }, (response: unknown) => ids.learn(response));
    }
  }

  /** Sends one payload; resolves when its ack came, timed out, or its socket closed. */
  async send(payload: FuzzPayload): Promise<void> {
    if (!this.#socket?.connected) {
      // Every worker of this client waits for one reconnection, rather than each opening a socket of its own.
      this.#connecting ??= this.connect().finally(() => {
        this.#connecting = null;
      });
      await this.#connecting;
    }
    const socket = this.#socket as Socket;
    const { figures, ids, ackTimeoutMs } = this.#options;
    figures.sent++;
    figures.count(figures.byMutation, payload.mutation);
    if (!payload.withAck) {
      if (this.#emit(socket, payload, [])) figures.withoutAck++;
      return;
    }
    const id = this.#nextId++;
    await new Promise<void>((resolve) => {
      const settle = (outcome: 'lost' | 'timeout' | { response: unknown }) => {
        if (!this.#pending.delete(id) && outcome !== 'lost') return;
        clearTimeout(timer);
        if (outcome === 'lost') figures.lostToDisconnect++;
        else if (outcome === 'timeout') figures.noteNoAck(payload);
        else figures.noteAck(payload, outcome.response, ids);
        resolve();
      };
      // Nothing answers an unknown event (socket.io has no handler for it): waiting the full bound would only stall.
      const bound = payload.mutation === 'unknownEvent' ? UNKNOWN_EVENT_WAIT_MS : ackTimeoutMs;
      const timer = setTimeout(() => settle('timeout'), bound);
      this.#pending.set(id, settle);
      if (!this.#emit(socket, payload, [(response: unknown) => settle({ response })])) {
        this.#pending.delete(id);
        clearTimeout(timer);
        resolve();
      }
    });
  }

  /** false when socket.io-client itself could not encode the payload (counted, never sent). */
  #emit(socket: Socket, payload: FuzzPayload, ack: unknown[]): boolean {
    try {
      socket.emit(payload.event, ...payload.args, ...ack);
      return true;
    } catch (err) {
      this.#options.figures.count(this.#options.figures.unsendable, `${payload.mutation}: ${String(err)}`);
      return false;
    }
  }

  close(): void {
    const socket = this.#socket;
    this.#socket = null;
    socket?.close();
  }
}
