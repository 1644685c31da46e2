/**
 * How a conference page gets back after trouble, without knowing mediasoup
 * or socket.io: the session does the requests, this class decides when.
 *
 * - Socket gone while joined: keep media and peers (the server holds our
 *   peer for 30 s as 'reconnecting'); when socket.io is back, `room:resume`
 *   takes the same peer over and each transport restarts ICE. A resume the
 *   server refuses, or one where it lost our media, re-joins.
 * - ICE trouble while the socket is up: restart ICE (after a short grace for
 *   'disconnected'); still failed afterwards, or the restart refused: re-join.
 * - `room:recreated` or a failed recovery: re-join, at once the first time and
 *   after a growing back-off when re-joins repeat (a media worker that keeps
 *   dying must not turn every page into a join storm); give up after too many.
 */
import type { ConferencePhase } from './ConferencePhase.ts';

export interface RecoverableTransport {
  readonly id: string;
  readonly closed: boolean;
  readonly connectionState: string;
}

export interface RecoverableMedia {
  readonly transports: readonly RecoverableTransport[];
  restartIce(transport: RecoverableTransport): Promise<void>;
}

/** What `room:resume` came to: back in the room with our media, re-join instead, or nothing more to do. */
export type ResumeOutcome = 'resumed' | 'rejoin' | 'done';

/** The conference session, as recovery sees it. */
export interface RecoveryHost {
  phase(): ConferencePhase;
  /** Left, removed or ended: nothing to recover. */
  finished(): boolean;
  socketConnected(): boolean;
  /** The media of the current attempt; null while there is none. */
  media(): RecoverableMedia | null;
  /** A fresh `room:join`; `recovering` sends transient failures back here through `rejoinSoon`. */
  join(recovering: boolean): Promise<void>;
  /**
   * `room:resume` for our peer, applied to the page. 'rejoin' when there is
   * nothing to resume, the server lost our media or refused; 'done' when a
   * newer attempt superseded it or the token was refused (already handled).
   */
  resume(): Promise<ResumeOutcome>;
  /** Socket gone with media up: show 'reconnecting', keep media and peers. */
  holdMedia(): void;
  /** Socket gone without media: drop what is left and show 'joining' until the socket is back. */
  awaitSocket(): void;
  /** A re-join is coming: drop media, show 'joining'. */
  prepareRejoin(): void;
}

export interface RecoveryOptions {
  /** Re-joins within this window count towards the back-off and the give-up limit. Default 60 s. */
  windowMs?: number;
  /** Re-joins within the window before giving up. Default 8. */
  maxRejoins?: number;
  /** Back-off cap. Default 10 s. */
  maxDelayMs?: number;
  /** A transport 'disconnected' this long (socket still up) gets an ICE restart. Default 2 s. */
  iceDisconnectedGraceMs?: number;
  /** Still 'failed' this long after an ICE restart: re-join. Default 10 s. */
  iceRestartTimeoutMs?: number;
  /**
   * After a refused ICE restart, wait this long before re-joining: most often the whole link is down and
   * socket.io has not noticed yet (its ping timeout is longer than ICE's); then the resume after
   * reconnecting restarts ICE and keeps our peer, where a re-join would make us a new participant.
   * Default 14 s, longer than the server's pingInterval + pingTimeout (5 s + 8 s).
   */
  socketSilenceMs?: number;
}

/**
 * Delays for repeated re-joins: 0 for the first in the window, then 1 s,
 * 2 s, 4 s… up to the cap; null once too many happened in the window.
 */
export class RejoinBackoff {
  readonly #windowMs: number;
  readonly #max: number;
  readonly #maxDelayMs: number;
  #recent: number[] = [];

  constructor(windowMs: number, max: number, maxDelayMs: number) {
    this.#windowMs = windowMs;
    this.#max = max;
    this.#maxDelayMs = maxDelayMs;
  }

  /** Counts a re-join at `now` and returns how long to wait before it, or null to give up. */
  next(now: number): number | null {
    this.#recent = this.#recent.filter((at) => now - at < this.#windowMs);
    if (this.#recent.length >= this.#max) return null;
    const delay = this.#recent.length === 0 ? 0 : Math.min(500 * 2 ** this.#recent.length, this.#maxDelayMs);
    this.#recent.push(now);
    return delay;
  }

  reset(): void {
    this.#recent = [];
  }
}

export class ConferenceRecovery {
  readonly #host: RecoveryHost;
  readonly #backoff: RejoinBackoff;
  readonly #iceGraceMs: number;
  readonly #iceTimeoutMs: number;
  readonly #silenceMs: number;
  #connectedBefore = false;
  #rejoinTimer: ReturnType<typeof setTimeout> | undefined;
  /** Transports with an ICE restart in flight or being watched. */
  readonly #iceRestarts = new Set<string>();
  /** Every timer still pending, cleared on close. */
  readonly #timers = new Set<ReturnType<typeof setTimeout>>();

  constructor(host: RecoveryHost, options: RecoveryOptions = {}) {
    this.#host = host;
    this.#backoff = new RejoinBackoff(
      options.windowMs ?? 60_000,
      options.maxRejoins ?? 8,
      options.maxDelayMs ?? 10_000,
    );
    this.#iceGraceMs = options.iceDisconnectedGraceMs ?? 2000;
    this.#iceTimeoutMs = options.iceRestartTimeoutMs ?? 10_000;
    this.#silenceMs = options.socketSilenceMs ?? 14_000;
  }

  /** The socket (re)connected: the first time join; later take our peer over again, or re-join. */
  socketConnected(): void {
    const host = this.#host;
    if (!this.#connectedBefore) {
      this.#connectedBefore = true;
      void host.join(false);
    } else if (host.phase() === 'reconnecting' && host.media()) {
      void this.#resume();
    } else {
      void host.join(true);
    }
  }

  socketDisconnected(): void {
    const host = this.#host;
    if (host.finished()) return;
    this.cancelRejoin();
    if (host.media() && (host.phase() === 'joined' || host.phase() === 'reconnecting')) host.holdMedia();
    else host.awaitSocket();
  }

  /**
   * Re-joins now, or after a back-off when re-joins repeat. False when it gave
   * up (the caller shows the error).
   */
  rejoinSoon(): boolean {
    const delay = this.#backoff.next(Date.now());
    if (delay === null) return false;
    this.#host.prepareRejoin();
    this.cancelRejoin();
    this.#rejoinTimer = this.#after(delay, () => void this.#host.join(true));
    return true;
  }

  cancelRejoin(): void {
    if (this.#rejoinTimer === undefined) return;
    clearTimeout(this.#rejoinTimer);
    this.#timers.delete(this.#rejoinTimer);
    this.#rejoinTimer = undefined;
  }

  /** The user asked to retry: past re-joins no longer count. */
  reset(): void {
    this.#backoff.reset();
  }

  /** The media of an attempt closed: its transports' restarts no longer matter. */
  mediaClosed(): void {
    this.#iceRestarts.clear();
  }

  close(): void {
    for (const timer of this.#timers) clearTimeout(timer);
    this.#timers.clear();
    this.#rejoinTimer = undefined;
    this.#iceRestarts.clear();
  }

  /** A transport's ICE went 'disconnected' or 'failed' while `media` is current. */
  transportTrouble(media: RecoverableMedia, transport: RecoverableTransport, state: 'disconnected' | 'failed'): void {
    const host = this.#host;
    // With the socket down, the resume after reconnecting restarts ICE.
    if (!host.socketConnected() || host.phase() !== 'joined') return;
    if (this.#iceRestarts.has(transport.id)) return;
    this.#iceRestarts.add(transport.id);
    const current = () => media === host.media() && !host.finished();
    const done = () => this.#iceRestarts.delete(transport.id);
    const restart = async () => {
      if (!current() || transport.closed || transport.connectionState === 'connected') return done();
      try {
        await media.restartIce(transport);
      } catch (error) {
        console.warn('[beacon] ICE restart failed', error);
        done();
        this.#after(this.#silenceMs, () => {
          if (!host.socketConnected() || host.phase() !== 'joined' || !current()) return;
          if (!transport.closed && transport.connectionState !== 'connected') this.rejoinSoon();
        });
        return;
      }
      this.#after(this.#iceTimeoutMs, () => {
        done();
        if (current() && !transport.closed && transport.connectionState === 'failed') this.rejoinSoon();
      });
    };
    this.#after(state === 'disconnected' ? this.#iceGraceMs : 0, () => void restart());
  }

  /** `room:resume`, then an ICE restart per transport; a failure re-joins. */
  async #resume(): Promise<void> {
    const host = this.#host;
    const media = host.media();
    const outcome = await host.resume();
    if (outcome === 'rejoin') return host.join(true);
    if (outcome !== 'resumed' || !media) return;
    // Back in the room; media follows once ICE has restarted.
    Promise.all(media.transports.map((transport) => media.restartIce(transport))).catch((error) => {
      if (media !== host.media() || host.finished()) return;
      console.warn('[beacon] ICE restart after resume failed, re-joining', error);
      this.rejoinSoon();
    });
  }

  #after(ms: number, run: () => void): ReturnType<typeof setTimeout> {
    const timer = setTimeout(() => {
      this.#timers.delete(timer);
      run();
    }, ms);
    this.#timers.add(timer);
    return timer;
  }
}
