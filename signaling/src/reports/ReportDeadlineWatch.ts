/**
 * Every tick, chains whose next report is past due turn red (ReportDesk
 * tells staff and the unit's sockets) and the unit's registered desk phone
 * is called with the reminder read out (OverdueCalls; repeated while the
 * chain stays overdue when so configured). Photos uploaded but never
 * reported are removed on the same tick.
 */
import type { ReportChainView } from '@beacon/protocol';
import { createLogger } from '../logger.ts';
import type { Store } from '../store/index.ts';
import type { OverdueCalls } from './OverdueCalls.ts';
import type { ReportDesk } from './ReportDesk.ts';
import type { ReportPhotoFiles } from './ReportPhotoFiles.ts';

const logger = createLogger('ReportDeadlineWatch');

export function overdueCallText(chain: ReportChainView): { textZh: string; textEn: string } {
  return {
    textZh: `${chain.unitName}，${chain.title}的续报已超时，请立即在终端上报。`,
    textEn: 'Beacon: a report of yours is overdue. Please report from your terminal now.',
  };
}

export class ReportDeadlineWatch {
  readonly #desk: ReportDesk;
  readonly #store: Store;
  readonly #calls: OverdueCalls;
  readonly #files: ReportPhotoFiles;
  readonly #timer: NodeJS.Timeout;
  #ticking = false;

  constructor(opts: {
    desk: ReportDesk;
    store: Store;
    calls: OverdueCalls;
    files: ReportPhotoFiles;
    tickMs: number;
  }) {
    this.#desk = opts.desk;
    this.#store = opts.store;
    this.#calls = opts.calls;
    this.#files = opts.files;
    this.#timer = setInterval(() => {
      if (this.#ticking) return;
      this.#ticking = true;
      this.tick()
        .catch((err: unknown) => logger.error({ err }, 'report deadline tick failed'))
        .finally(() => {
          this.#ticking = false;
        });
    }, opts.tickMs);
    this.#timer.unref();
  }

  /** Flags what is due by `now`; returns the chains it flagged. */
  async tick(now = new Date()): Promise<ReportChainView[]> {
    const flagged: ReportChainView[] = [];
    for (const id of await this.#store.reports.dueBy(now.toISOString())) {
      const chain = await this.#desk.markOverdue(id);
      if (!chain) continue;
      flagged.push(chain);
      await this.#calls.call(
        { key: `report:${chain.id}`, unit: { kind: chain.unitKind, id: chain.unitId }, ...overdueCallText(chain) },
        now.getTime(),
      );
    }
    await this.#calls.repeat(async (key) => {
      const chain = await this.#store.reports.get(key.slice('report:'.length));
      return chain?.overdue === true && !chain.final && chain.mergedInto === null;
    }, now.getTime());
    const staleBefore = new Date(now.getTime() - this.#desk.options.unusedPhotoTtlMs).toISOString();
    for (const photoId of await this.#store.reports.discardUnused(staleBefore)) await this.#files.remove(photoId);
    return flagged;
  }

  stop(): void {
    clearInterval(this.#timer);
  }
}
