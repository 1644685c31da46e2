/**
 * Every tick, chains whose next report is past due turn red (ReportDesk
 * tells staff and the unit's sockets) and the township's registered desk
 * phone is called through the SIP gateway's alert call, which reads the
 * reminder out. Photos uploaded but never reported are removed on the same
 * tick.
 *
 * The alert call is the warning read-out of AlertCalls: its "press 1"
 * acknowledges a warning, so for a reminder it carries no warning the
 * gateway could acknowledge — pressing 1 is answered as unknown and changes
 * nothing; the reminder is in what the phone hears.
 */
import type { ReportChainView } from '@beacon/protocol';
import { createLogger } from '../logger.ts';
import type { SipBridge } from '../sip/SipBridge.ts';
import type { Store } from '../store/index.ts';
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
  readonly #sip: SipBridge | null;
  readonly #files: ReportPhotoFiles;
  readonly #timer: NodeJS.Timeout;
  #ticking = false;

  constructor(opts: {
    desk: ReportDesk;
    store: Store;
    sip: SipBridge | null;
    files: ReportPhotoFiles;
    tickMs: number;
  }) {
    this.#desk = opts.desk;
    this.#store = opts.store;
    this.#sip = opts.sip;
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
      this.#call(chain);
    }
    const staleBefore = new Date(now.getTime() - this.#desk.options.unusedPhotoTtlMs).toISOString();
    for (const photoId of await this.#store.reports.discardUnused(staleBefore)) await this.#files.remove(photoId);
    return flagged;
  }

  stop(): void {
    clearInterval(this.#timer);
  }

  #call(chain: ReportChainView): void {
    if (!this.#sip || chain.unitKind !== 'township') return;
    const phone = this.#sip.status().registrations.find((r) => r.registered && r.townshipId === chain.unitId);
    if (!phone) return;
    this.#sip.alertCall({
      warningId: `report:${chain.id}`,
      townshipId: chain.unitId,
      extension: phone.extension,
      ...overdueCallText(chain),
    });
  }
}
