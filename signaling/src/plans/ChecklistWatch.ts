/**
 * Every tick, open checklist items of running responses that are past due are
 * flagged overdue (ResponseDesk tells staff and the unit's sockets, whose
 * pages turn them red) and the responsible township's or department's desk
 * phone is called with the item read out (OverdueCalls: once, or repeated
 * while it stays open when so configured). The duty desk's own items are red
 * on the console it sits at: no call. The flag is a compare-and-set in the
 * store, so with several signaling nodes ticking each item is flagged,
 * pushed and called once.
 */
import type { ChecklistItemView } from '@beacon/protocol';
import { createLogger } from '../logger.ts';
import type { OverdueCalls } from '../reports/OverdueCalls.ts';
import type { Store } from '../store/index.ts';
import type { ResponseDesk } from './ResponseDesk.ts';

const logger = createLogger('ChecklistWatch');

/** How often overdue checklist items are looked for unless told otherwise (15 s). */
export const DEFAULT_CHECKLIST_TICK_MS = 15_000;

const KEY_PREFIX = 'checklist:';

/** What the desk phone hears. */
export function checklistCallText(item: ChecklistItemView): { textZh: string; textEn: string } {
  return {
    textZh: `${item.unitName}，${item.incidentTitle}的应急响应事项：${item.text}，已超时，请立即办理并在终端勾选。`,
    textEn: 'Beacon: a response checklist item of yours is overdue. Please do it and tick it on your terminal now.',
  };
}

export class ChecklistWatch {
  readonly #desk: ResponseDesk;
  readonly #store: Store | null;
  readonly #calls: OverdueCalls | null;
  readonly #timer: NodeJS.Timeout;
  #ticking = false;

  /** Without `calls` (and the `store` its repeats read), overdue items are flagged but nobody is called. */
  constructor(opts: { desk: ResponseDesk; tickMs: number; store?: Store; calls?: OverdueCalls }) {
    this.#desk = opts.desk;
    this.#store = opts.store ?? null;
    this.#calls = opts.calls ?? null;
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
    const calls = this.#calls;
    const store = this.#store;
    if (!calls || !store) return flagged;
    for (const item of flagged) {
      if (item.unitKind === 'desk' || item.unitId === null) continue;
      await calls.call(
        { key: `${KEY_PREFIX}${item.id}`, unit: { kind: item.unitKind, id: item.unitId }, ...checklistCallText(item) },
        now.getTime(),
      );
    }
    await calls.repeat(async (key) => {
      const item = await store.plans.item(key.slice(KEY_PREFIX.length));
      return item?.overdue === true && item.doneAt === null && !item.superseded;
    }, now.getTime());
    return flagged;
  }

  stop(): void {
    clearInterval(this.#timer);
  }
}
