/**
 * The queue between the warnings and the SMS gateway: at most `concurrency`
 * submissions in flight, each number held to its rate (NumberRateLimiter: a
 * text over it waits, it is never dropped), results reported as events. It
 * keeps nothing durable: every job is a store row already (state queued), and
 * SmsAlerts re-queues those after a restart.
 */
import { TypedEmitter } from '@beacon/common';
import { createLogger } from '../logger.ts';
import type { NumberRateLimiter } from './NumberRateLimiter.ts';
import type { SmsGateway, SmsJob, SubmitResult } from './SmsOutboxTypes.ts';
import { maskMobile } from './smsText.ts';

const logger = createLogger('SmsOutbox');

export type SmsOutboxEvents = {
  /** The gateway answered (or could not be reached) for this job. */
  result: [job: SmsJob, result: SubmitResult];
};

export interface SmsOutboxOptions {
  gateway: SmsGateway;
  limiter: NumberRateLimiter;
  /** Submissions in flight at once (default 8). */
  concurrency?: number;
  /** Clock in ms; tests pass their own. Default Date.now. */
  now?: () => number;
}

export class SmsOutbox extends TypedEmitter<SmsOutboxEvents> {
  readonly #opts: SmsOutboxOptions;
  readonly #ready: SmsJob[] = [];
  readonly #timers = new Set<NodeJS.Timeout>();
  #inFlight = 0;
  #closed = false;

  constructor(opts: SmsOutboxOptions) {
    super();
    this.#opts = opts;
  }

  /** Jobs waiting (ready or held back by a number's rate) plus in flight. */
  get pending(): number {
    return this.#ready.length + this.#timers.size + this.#inFlight;
  }

  /** Sends after `delayMs` (a retry's back-off), or as soon as a slot and the number's rate allow. */
  enqueue(job: SmsJob, delayMs = 0): void {
    if (this.#closed) return;
    if (delayMs > 0) {
      this.#later(job, delayMs);
      return;
    }
    this.#ready.push(job);
    this.#pump();
  }

  close(): void {
    this.#closed = true;
    for (const timer of this.#timers) clearTimeout(timer);
    this.#timers.clear();
    this.#ready.length = 0;
  }

  #later(job: SmsJob, delayMs: number): void {
    const timer = setTimeout(() => {
      this.#timers.delete(timer);
      this.enqueue(job);
    }, delayMs);
    timer.unref();
    this.#timers.add(timer);
  }

  #pump(): void {
    const limit = this.#opts.concurrency ?? 8;
    while (!this.#closed && this.#inFlight < limit && this.#ready.length > 0) {
      const job = this.#ready.shift() as SmsJob;
      const wait = this.#opts.limiter.take(job.submission.to, (this.#opts.now ?? Date.now)());
      if (wait > 0) {
        logger.debug({ to: maskMobile(job.submission.to), waitMs: wait }, 'number over its rate, text held');
        this.#later(job, wait);
        continue;
      }
      this.#inFlight++;
      void this.#send(job);
    }
  }

  async #send(job: SmsJob): Promise<void> {
    let result: SubmitResult;
    try {
      result = await this.#opts.gateway.submit(job.submission);
    } catch (err) {
      result = { ok: false, permanent: false, reason: String(err) };
    }
    this.#inFlight--;
    if (!this.#closed) this.safeEmit('result', job, result);
    this.#pump();
  }
}
