/**
 * Escalation: every tick, townships and departments that have not acknowledged an issued
 * warning within its escalationMinutes since they were last notified are
 * notified again (notifyCount + 1, the banner again, the board updated, a
 * note on the linked incident's timeline).
 */
import { createLogger } from '../logger.ts';
import { addresseeName, addresseeOf } from './addressees.ts';
import type { CommandBus } from './CommandBus.ts';
import { SYSTEM_ACTOR } from './CommandBus.ts';
import { alertAddressees, alertFor, lineOwner } from './WarningDesk.ts';

const logger = createLogger('Escalation');

export class Escalation {
  readonly #bus: CommandBus;
  readonly #timer: NodeJS.Timeout;
  /** A tick still waiting for the store: the next one is skipped rather than run beside it. */
  #ticking = false;

  constructor(bus: CommandBus, opts: { tickMs: number }) {
    this.#bus = bus;
    this.#timer = setInterval(() => {
      if (this.#ticking) return;
      this.#ticking = true;
      this.tick()
        .catch((err: unknown) => logger.error({ err }, 'escalation tick failed'))
        .finally(() => {
          this.#ticking = false;
        });
    }, opts.tickMs);
    this.#timer.unref();
  }

  /** Re-notifies what is due now; returns how many deliveries were. */
  async tick(now = new Date()): Promise<number> {
    const { store } = this.#bus;
    const at = now.toISOString();
    let count = 0;
    for (const { warning, row } of await store.warnings.unackedEscalating(at)) {
      const dueAt = Date.parse(row.lastNotifiedAt) + warning.escalationMinutes * 60_000;
      if (dueAt > now.getTime()) continue;
      const to = addresseeOf(row);
      const updated = await this.#bus.audited(
        SYSTEM_ACTOR,
        (tx) => tx.warnings.renotify(warning.id, to, at, row.lastNotifiedAt),
        (done) =>
          done
            ? {
                action: 'warning.escalate',
                target: warning.id,
                detail: { ...lineOwner(row), notifyCount: done.notifyCount },
              }
            : null,
      );
      // Another signaling node escalated it first (cluster mode), or it was acknowledged meanwhile.
      if (!updated) continue;
      count++;
      this.#bus.emit('alert', { ...alertAddressees(row), alert: alertFor(warning, updated) });
      this.#bus.emit('ack', updated);
      const name = await addresseeName(store, to);
      if (warning.incidentId) {
        await this.#bus.note(SYSTEM_ACTOR, {
          incidentId: warning.incidentId,
          kind: 'warning',
          text: `${name} 未签收预警「${warning.headline}」，第 ${updated.notifyCount} 次通知`,
          data: { warningId: warning.id, ...lineOwner(row), notifyCount: updated.notifyCount },
        });
      }
      logger.info({ warningId: warning.id, ...lineOwner(row), notifyCount: updated.notifyCount }, 'escalated');
    }
    return count;
  }

  stop(): void {
    clearInterval(this.#timer);
  }
}
