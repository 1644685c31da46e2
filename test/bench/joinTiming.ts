/**
 * Join → first remote frame decoded, timed inside the page (the driver's
 * round trips do not count), with the console's per-step User Timing marks
 * (console/src/conference/joinMarks.ts): shared by the loopback and the
 * township-link benches.
 */
import type { Page } from 'playwright-core';
import { percentile } from './stats.ts';

/** One join: the first decoded frame (NaN on timeout) and each marked step, in ms after the click. */
export interface JoinSample {
  ms: number;
  steps: Record<string, number>;
}

/**
 * Starts the in-page clock and poller; click the join button right after.
 * The promise is already handled (a page error while the click is pending must
 * not end the bench before its `finally` stops Beacon): await it for the sample.
 */
export function timeJoinInPage(page: Page, timeoutMs: number): Promise<JoinSample> {
  const elapsed = page.evaluate(async (limit): Promise<JoinSample> => {
    type Hook = { recvTransportStats(): Promise<Record<string, unknown>[]> };
    const started = performance.now();
    for (;;) {
      // The hook appears once the conference page has mounted.
      const hook = (globalThis as unknown as { __beacon?: Hook }).__beacon;
      const stats = hook ? await hook.recvTransportStats().catch(() => []) : [];
      const decoded = stats.some((s) => s.type === 'inbound-rtp' && s.kind === 'video' && Number(s.framesDecoded) > 0);
      const ms = performance.now() - started;
      if (decoded || ms > limit) {
        // No named helper in here: the page runs this text, without the bundler's helpers.
        const steps: Record<string, number> = {};
        for (const mark of performance.getEntriesByType('mark')) {
          if (mark.name.startsWith('beacon:join:'))
            steps[mark.name.slice('beacon:join:'.length)] = Math.round(mark.startTime - started);
        }
        return { ms: decoded ? ms : Number.NaN, steps };
      }
      await new Promise((r) => setTimeout(r, 10));
    }
  }, timeoutMs);
  elapsed.catch(() => undefined);
  return elapsed;
}

/** Collects joins' samples: the first-frame times and, per step, the median time after the click. */
export class JoinSamples {
  readonly samplesMs: number[] = [];
  readonly #steps = new Map<string, number[]>();

  add(sample: JoinSample): void {
    if (!Number.isFinite(sample.ms)) return;
    this.samplesMs.push(Math.round(sample.ms));
    for (const [step, at] of Object.entries(sample.steps))
      this.#steps.set(step, [...(this.#steps.get(step) ?? []), at]);
  }

  /** Median ms after the click of each step, in join order. */
  stepsP50Ms(): Record<string, number> {
    return Object.fromEntries(
      [...this.#steps.entries()]
        .map(([step, values]) => [step, percentile(values, 50)] as const)
        .sort((a, b) => a[1] - b[1]),
    );
  }
}
