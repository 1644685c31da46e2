/**
 * What a load run counts: join and media-open latencies, failures by error
 * code, unexpected disconnects, RTP packets sent. Participants report into
 * it with `record*`; `summary()` is the figure set the CLI, the benchmark and
 * the soak print.
 */
import { percentile } from '../bench/stats.ts';

/** Where a participant's setup stopped: the phase names used in failure keys (`join:room_locked`). */
export type SetupPhase = 'token' | 'connect' | 'join' | 'media' | 'leave';

export interface LoadSummary {
  attempted: number;
  joined: number;
  /** Joins per second from the first attempt to the last successful join. */
  joinsPerSecond: number;
  /** Connect + `room:join` ack, per participant. */
  joinP50Ms: number;
  joinP95Ms: number;
  /** `phone:media` ack (the PCMU producer open). */
  mediaP50Ms: number;
  mediaP95Ms: number;
  /** `<phase>:<code>` → count, e.g. `join:room_locked`, `connect:unauthorized`, `media:timeout`. */
  failures: Record<string, number>;
  /** Sockets the server (or the network) closed while the participant was in: `<reason>` → count. */
  disconnects: Record<string, number>;
  left: number;
  rtpPacketsSent: number;
  rtpSendErrors: number;
}

export class LoadStats {
  readonly #joinMs: number[] = [];
  readonly #mediaMs: number[] = [];
  readonly #failures = new Map<string, number>();
  readonly #disconnects = new Map<string, number>();
  #attempted = 0;
  #left = 0;
  #firstAttemptAt: number | null = null;
  #lastJoinAt: number | null = null;
  rtpPacketsSent = 0;
  rtpSendErrors = 0;

  /** `now` is injectable for tests; performance.now() otherwise. */
  constructor(private readonly now: () => number = () => performance.now()) {}

  recordAttempt(): void {
    this.#attempted += 1;
    this.#firstAttemptAt ??= this.now();
  }

  recordJoined(joinMs: number): void {
    this.#joinMs.push(joinMs);
    this.#lastJoinAt = this.now();
  }

  recordMediaOpen(mediaMs: number): void {
    this.#mediaMs.push(mediaMs);
  }

  recordFailure(phase: SetupPhase, code: string): void {
    increment(this.#failures, `${phase}:${code}`);
  }

  recordDisconnect(reason: string): void {
    increment(this.#disconnects, reason);
  }

  recordLeft(): void {
    this.#left += 1;
  }

  summary(): LoadSummary {
    const spanSeconds =
      this.#firstAttemptAt === null || this.#lastJoinAt === null ? 0 : (this.#lastJoinAt - this.#firstAttemptAt) / 1000;
    return {
      attempted: this.#attempted,
      joined: this.#joinMs.length,
      joinsPerSecond: spanSeconds > 0 ? round1(this.#joinMs.length / spanSeconds) : 0,
      joinP50Ms: round1(percentile(this.#joinMs, 50)),
      joinP95Ms: round1(percentile(this.#joinMs, 95)),
      mediaP50Ms: round1(percentile(this.#mediaMs, 50)),
      mediaP95Ms: round1(percentile(this.#mediaMs, 95)),
      failures: Object.fromEntries(this.#failures),
      disconnects: Object.fromEntries(this.#disconnects),
      left: this.#left,
      rtpPacketsSent: this.rtpPacketsSent,
      rtpSendErrors: this.rtpSendErrors,
    };
  }
}

function increment(map: Map<string, number>, key: string): void {
  map.set(key, (map.get(key) ?? 0) + 1);
}

function round1(value: number): number {
  return Math.round(value * 10) / 10;
}
