/**
 * Starts N phone-leg participants over one or more signaling nodes and rooms
 * (LoadConfig.ts), ramped at a set rate, each sending a PCMU tone at real
 * pace; `stop()` makes every one leave. start/stop may repeat (the soak
 * churns this way): leg tokens are minted once per generator and reused,
 * figures accumulate in `stats` across cycles.
 *
 *   const load = new LoadGenerator({ urls, serviceToken, rooms, perRoom: 20 });
 *   await load.start();          // resolves when every join has succeeded or failed
 *   ...                          // media flows
 *   await load.stop();
 *   console.log(load.stats.summary());
 */
import {
  type LoadConfig,
  type LoadConfigInput,
  loadConfigSchema,
  type Placement,
  placeParticipants,
} from './LoadConfig.ts';
import { LoadStats } from './LoadStats.ts';
import { mintLegTokens } from './legTokens.ts';
import { MediaPacer } from './MediaPacer.ts';
import { PhoneParticipant } from './PhoneParticipant.ts';
import { toneFor } from './tone.ts';

export class LoadGenerator {
  readonly config: LoadConfig;
  readonly stats = new LoadStats();
  readonly #pacer = new MediaPacer();
  readonly #placements: Placement[];
  /** fromNumber → leg token; a number whose token was refused maps to its failure code. */
  #legTokens: Map<string, { token: string } | { failure: string }> | null = null;
  #participants: PhoneParticipant[] = [];
  #stopping = false;

  constructor(input: LoadConfigInput) {
    this.config = loadConfigSchema.parse(input);
    this.#placements = placeParticipants(this.config);
  }

  /** Participants that joined in the current cycle (including any dropped since). */
  get participants(): readonly PhoneParticipant[] {
    return this.#participants;
  }

  get size(): number {
    return this.#placements.length;
  }

  /** Ramps every participant in; resolves when each has joined (and opened media) or failed. */
  async start(): Promise<void> {
    this.#stopping = false;
    const tokens = await this.#tokens();
    const interval = this.config.rampPerSecond > 0 ? 1000 / this.config.rampPerSecond : 0;
    const rampStart = performance.now();
    const inFlight = new Set<Promise<void>>();
    for (const placement of this.#placements) {
      if (this.#stopping) break;
      if (interval > 0) await sleep(rampStart + placement.index * interval - performance.now());
      while (inFlight.size >= this.config.maxInFlight) await Promise.race(inFlight);
      const minted = tokens.get(placement.fromNumber);
      if (!minted || 'failure' in minted) {
        this.stats.recordAttempt();
        this.stats.recordFailure('token', minted && 'failure' in minted ? minted.failure : 'missing');
        continue;
      }
      const joining: Promise<void> = this.#join(placement, minted.token).finally(() => inFlight.delete(joining));
      inFlight.add(joining);
    }
    await Promise.all(inFlight);
  }

  /** Every participant leaves (`room:leave`, then its socket and UDP port close). */
  async stop(): Promise<void> {
    this.#stopping = true;
    const leaving = this.#participants;
    this.#participants = [];
    for (let i = 0; i < leaving.length; i += this.config.maxInFlight) {
      await Promise.all(leaving.slice(i, i + this.config.maxInFlight).map((p) => p.leave()));
    }
    this.#pacer.stop();
  }

  async #join(placement: Placement, legToken: string): Promise<void> {
    const participant = await PhoneParticipant.join({
      url: placement.url,
      legToken,
      roomId: placement.roomId,
      media: this.config.media,
      toneHz: toneFor(placement.index),
      pacer: this.#pacer,
      stats: this.stats,
      requestTimeoutMs: this.config.requestTimeoutMs,
    });
    if (!participant) return;
    // stop() ran while this one was joining: it leaves straight away.
    if (this.#stopping) await participant.leave();
    else this.#participants.push(participant);
  }

  async #tokens(): Promise<Map<string, { token: string } | { failure: string }>> {
    if (this.#legTokens) return this.#legTokens;
    const byUrl = new Map<string, string[]>();
    for (const { url, fromNumber } of this.#placements) {
      const numbers = byUrl.get(url) ?? [];
      numbers.push(fromNumber);
      byUrl.set(url, numbers);
    }
    const tokens = new Map<string, { token: string } | { failure: string }>();
    for (const [url, numbers] of byUrl) {
      for (const minted of await mintLegTokens(url, this.config.serviceToken, numbers, this.config.requestTimeoutMs)) {
        tokens.set(minted.fromNumber, 'token' in minted ? { token: minted.token } : { failure: minted.failure });
      }
    }
    // Keep only a complete set: a later start() retries numbers that failed.
    if ([...tokens.values()].every((t) => 'token' in t)) this.#legTokens = tokens;
    return tokens;
  }
}

function sleep(ms: number): Promise<void> {
  return ms > 0 ? new Promise((resolve) => setTimeout(resolve, ms)) : Promise.resolve();
}
