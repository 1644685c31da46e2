/**
 * Every tick, open checklist items of running responses that are past due are
 * flagged overdue (ResponseDesk tells staff and the unit's sockets, whose
 * pages turn them red). The flag is a compare-and-set in the store, so with
 * several signaling nodes ticking each item is flagged and pushed once.
 */
import type { ChecklistItemView } from '@beacon/protocol';
import { createLogger } from '../logger.ts';
import type { ResponseDesk } from './ResponseDesk.ts';

const logger = createLogger('ChecklistWatch');

/** How often overdue checklist items are looked for unless told otherwise (15 s). */
export const DEFAULT_CHECKLIST_TICK_MS = 15_000;

export class ChecklistWatch {
  readonly #desk: ResponseDesk;
  readonly #timer: NodeJS.Timeout;
  #ticking = false;

  constructor(opts: { desk: ResponseDesk; tickMs: number }) {
    this.#desk = opts.desk;
    this.#timer = setInterval(() => {
      if (this.#ticking) return;
      this.#ticking = true;
      this.tick()
        .catch((err: unknown) => logger.error({ err }, 'checklist tick failed'))
        .finally(() => {
          this.#ticking = false;
        });
    }, opts.tickMs);
    this.#timer.unref();
  }

  /** Flags what is due by `now`; returns the items it flagged. */
  async tick(now = new Date()): Promise<ChecklistItemView[]> {
    const flagged = await this.#desk.flagOverdue(now);
    // One line per tick, however many turned red at once (a big plan's deadlines often fall together).
    if (flagged.length > 0) logger.info({ flagged: flagged.length }, 'checklist items overdue');
    return flagged;
  }

  stop(): void {
    clearInterval(this.#timer);
  }
}
