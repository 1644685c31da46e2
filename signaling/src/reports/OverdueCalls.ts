/**
 * Overdue reminders by phone: when a report chain or a checklist item of a
 * running response turns red, the responsible unit's registered desk phone
 * is called through the SIP gateway's alert call, which reads the reminder
 * out (the flow a warning's phone channel uses). One call per overdue item;
 * with a repeat interval, the call is repeated while the item stays overdue.
 *
 * The alert call's "press 1" acknowledges a warning: a reminder carries no
 * warning the gateway could acknowledge (its id is `report:…`/`checklist:…`),
 * so pressing 1 is answered as unknown and changes nothing; the reminder is
 * in what the phone hears.
 *
 * Repeats are remembered by the node that placed the first call (an item is
 * flagged — and so first called — by exactly one node; see the stores'
 * compare-and-set). After a restart, items flagged before are not repeated.
 */
import { createLogger } from '../logger.ts';
import { registeredDepartmentPhone, registeredExtensions } from '../sip/departmentPhones.ts';
import type { SipBridge } from '../sip/SipBridge.ts';
import type { Store } from '../store/index.ts';

const logger = createLogger('OverdueCalls');

/** The unit whose desk phone is called. */
export interface CalledUnit {
  kind: 'township' | 'department';
  id: string;
}

export interface OverdueReminder {
  /** `report:<chainId>` or `checklist:<itemId>`: also the alert call's id. */
  key: string;
  unit: CalledUnit;
  textZh: string;
  textEn: string;
}

export interface OverdueCallsOptions {
  sip: SipBridge | null;
  store: Store;
  /** Repeat the call this often while the item stays overdue; 0 (the default): call once. */
  repeatMs?: number;
}

export class OverdueCalls {
  readonly #sip: SipBridge | null;
  readonly #store: Store;
  readonly #repeatMs: number;
  /** Reminders to repeat, with when each was last called. */
  readonly #pending = new Map<string, { reminder: OverdueReminder; lastAt: number }>();

  constructor(opts: OverdueCallsOptions) {
    this.#sip = opts.sip;
    this.#store = opts.store;
    this.#repeatMs = opts.repeatMs ?? 0;
  }

  /** Calls the unit's desk phone now; true when a call went to the gateway. */
  async call(reminder: OverdueReminder, now = Date.now()): Promise<boolean> {
    if (this.#repeatMs > 0) this.#pending.set(reminder.key, { reminder, lastAt: now });
    return this.#place(reminder);
  }

  /**
   * Calls again whatever is due for a repeat and still overdue (asked of `stillOverdue`); forgets the rest.
   * Returns the keys called.
   */
  async repeat(stillOverdue: (key: string) => Promise<boolean>, now = Date.now()): Promise<string[]> {
    const called: string[] = [];
    for (const [key, entry] of this.#pending) {
      if (now - entry.lastAt < this.#repeatMs) continue;
      if (!(await stillOverdue(key))) {
        this.#pending.delete(key);
        continue;
      }
      entry.lastAt = now;
      if (await this.#place(entry.reminder)) called.push(key);
    }
    return called;
  }

  async #place(reminder: OverdueReminder): Promise<boolean> {
    if (!this.#sip) return false;
    try {
      const extension = await this.#deskPhone(this.#sip, reminder.unit);
      if (!extension) return false;
      const placed = this.#sip.alertCall({
        warningId: reminder.key,
        townshipId: reminder.unit.kind === 'township' ? reminder.unit.id : null,
        extension,
        textZh: reminder.textZh,
        textEn: reminder.textEn,
      });
      logger.debug({ key: reminder.key, extension, placed }, 'overdue reminder call');
      return placed;
    } catch (err) {
      // The red flag and the socket push reached the unit already; the next repeat (if any) calls again.
      logger.warn({ err, key: reminder.key }, 'overdue reminder call not placed');
      return false;
    }
  }

  /** A registered desk phone of the unit: a township's from the gateway's report, a department's from the store. */
  async #deskPhone(sip: SipBridge, unit: CalledUnit): Promise<string | null> {
    const registered = sip.status().registrations.filter((r) => r.registered);
    if (unit.kind === 'township') return registered.find((r) => r.townshipId === unit.id)?.extension ?? null;
    return registeredDepartmentPhone(this.#store, registeredExtensions(sip), unit.id);
  }
}
