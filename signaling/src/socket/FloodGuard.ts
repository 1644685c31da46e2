/**
 * What one socket may cost this node: its events' rate (token buckets per
 * socket and per user, `limits/EventRateLimiter.ts`), the events waiting in
 * its queue behind the one running, and the emits waiting to be written to
 * it. An event over its rate is answered `rate_limited` with `retryAfterMs`;
 * a queue over its bound closes the socket, after a `session:closed` that
 * says why, because nothing the node does later can catch up with it.
 */
import { BeaconError, type ClientEventName } from '@beacon/protocol';
import type { Logger } from 'pino';
import type { SocketRate } from '../limits/EventRateLimiter.ts';
import type { BeaconMetrics } from '../metrics.ts';
import type { SocketSession } from './SocketSession.ts';
import type { BeaconSocket } from './types.ts';

export interface FloodGuardOptions {
  socket: BeaconSocket;
  session: SocketSession;
  /** Null: not rated (the SIP gateway's service socket carries every call's events). */
  rate: SocketRate | null;
  /** Events waiting behind the running one; one more closes the socket. */
  queueMax: number;
  /** Emits waiting to be written; one more closes the socket. */
  outboxMax: number;
  metrics: BeaconMetrics;
  log: Logger;
}

export class FloodGuard {
  readonly #opts: FloodGuardOptions;
  #closed = false;
  readonly #onPacket = () => {
    // writeBuffer is public in engine.io's JavaScript, private only in its typings.
    const waiting = (this.#opts.socket.conn as unknown as { writeBuffer: unknown[] }).writeBuffer.length;
    if (waiting > this.#opts.outboxMax) this.#close('out', waiting);
  };

  constructor(opts: FloodGuardOptions) {
    this.#opts = opts;
    // engine.io buffers every emit until the client takes it: a client that stops reading
    // (or a long-polling one that never polls) would grow it without end.
    opts.socket.conn.on('packetCreate', this.#onPacket);
  }

  /**
   * Null when `event` may run; else the refusal to answer it with. A full queue also
   * closes the socket (the answer may still reach the client first).
   */
  admit(event: ClientEventName): BeaconError | null {
    const { session, queueMax, rate, metrics } = this.#opts;
    if (this.#closed) return BeaconError.rateLimitedMs('closing: too many events', 1000);
    if (session.pending > queueMax) {
      this.#close('in', session.pending);
      return BeaconError.rateLimitedMs('too many events waiting', 1000);
    }
    const refusal = rate?.take(event) ?? null;
    if (!refusal) return null;
    metrics.socketRateLimited(refusal.eventClass);
    return BeaconError.rateLimitedMs(`too many ${refusal.eventClass} events`, refusal.retryAfterMs);
  }

  /** The socket is gone: stop watching it, give its share of the user's rate back. */
  dispose(): void {
    this.#opts.socket.conn.off('packetCreate', this.#onPacket);
    this.#opts.rate?.release();
  }

  #close(queue: 'in' | 'out', waiting: number): void {
    if (this.#closed) return;
    this.#closed = true;
    const { socket, metrics, log } = this.#opts;
    metrics.socketFloodClosed(queue);
    log.warn({ queue, waiting }, 'socket flooded: closing it');
    const reason = BeaconError.rateLimitedMs(
      queue === 'in' ? 'too many events waiting: disconnected' : 'too many messages left unread: disconnected',
      1000,
    );
    socket.emit('session:closed', reason.toBody());
    // After the emit is queued: a websocket client still reads it before the close.
    setImmediate(() => socket.disconnect(true));
  }
}
