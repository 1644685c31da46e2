/**
 * The roster (排班): read a month, set one slot, import a month from XLSX,
 * and who is on duty now and next. Every change is audited with the slot (or
 * the month) before and after.
 */
import {
  BeaconError,
  DUTY_LEADER_ROLES,
  DUTY_OFFICER_ROLES,
  type DutyNowView,
  type DutyShiftTime,
  type RosterImportResult,
  type RosterImportRowError,
  type RosterMonthView,
  type RosterSlotInput,
} from '@beacon/protocol';
import { type AuditLine, auditedChange } from '../audit/auditedChange.ts';
import type { Actor } from '../command/CommandBus.ts';
import type { Store, StoreRepositories } from '../store/index.ts';
import type { DutyOptions } from './DutyOptions.ts';
import { isCalendarDay, type ShiftOccurrence, shiftsAround } from './dutyClock.ts';
import { readRosterWorkbook } from './rosterWorkbook.ts';

/** A refused import: every bad row, nothing written. */
export class RosterImportError extends BeaconError {
  readonly rowErrors: RosterImportRowError[];
  constructor(rowErrors: RosterImportRowError[]) {
    const first = rowErrors[0];
    const where = first && first.row > 0 ? `第 ${first.row} 行${first.column ? `「${first.column}」` : ''}：` : '';
    super('bad_request', `${where}${first?.message ?? ''}（共 ${rowErrors.length} 处错误，未导入任何数据）`);
    this.rowErrors = rowErrors;
  }
}

function fieldError(field: string, message: string): BeaconError {
  const err = BeaconError.badRequest(message);
  err.field = field;
  return err;
}

export class RosterDesk {
  readonly #store: Store;
  readonly #opts: DutyOptions;
  readonly #changed: (month: string) => void;

  constructor(store: Store, opts: DutyOptions, changed: (month: string) => void) {
    this.#store = store;
    this.#opts = opts;
    this.#changed = changed;
  }

  async month(month: string): Promise<RosterMonthView> {
    return {
      month,
      timeZone: this.#opts.timeZone,
      shifts: [...this.#opts.shifts],
      entries: await this.#store.duty.roster.month(month),
    };
  }

  async set(actor: Actor, day: string, shiftKey: string, input: RosterSlotInput) {
    // The day pattern lets 2026-02-30 through.
    if (!isCalendarDay(day)) throw fieldError('day', `没有这一天 ${day} / no such day`);
    if (!this.#opts.shifts.some((s) => s.key === shiftKey))
      throw fieldError('shift', `没有班次 ${shiftKey} / no such shift`);
    if (input.leaderId !== null) await this.#requirePerson(input.leaderId, DUTY_LEADER_ROLES, 'leaderId');
    for (const id of input.officerIds) await this.#requirePerson(id, DUTY_OFFICER_ROLES, 'officerIds');
    const change = await this.#audited(
      actor,
      (tx) =>
        tx.duty.roster.set(
          { day, shift: shiftKey, leaderId: input.leaderId, officerIds: input.officerIds },
          actor.userId,
        ),
      (c) => ({ action: 'duty.roster.set', target: `${day}/${shiftKey}`, detail: { ...c } }),
    );
    this.#changed(day.slice(0, 7));
    return change.after;
  }

  async importMonth(actor: Actor, month: string, file: Buffer, dryRun: boolean): Promise<RosterImportResult> {
    const people = (await this.#store.users.list()).map((u) => ({
      id: u.id,
      username: u.username,
      displayName: u.displayName,
      role: u.role,
      enabled: u.enabled,
    }));
    const read = await readRosterWorkbook(file, { month, shifts: this.#opts.shifts, people });
    if (!read.ok) throw new RosterImportError(read.errors);
    if (dryRun) {
      const had = (await this.#store.duty.roster.month(month)).length;
      return { month, dryRun, slots: read.slots.length, replaced: had };
    }
    const { replaced } = await this.#audited(
      actor,
      async (tx) => {
        const before = await tx.duty.roster.month(month);
        const { replaced } = await tx.duty.roster.replaceMonth(month, read.slots, actor.userId);
        return { replaced, before, after: await tx.duty.roster.month(month) };
      },
      ({ before, after }) => ({ action: 'duty.roster.import', target: month, detail: { before, after } }),
    );
    this.#changed(month);
    return { month, dryRun, slots: read.slots.length, replaced };
  }

  /** Who is on duty at `at` and on the shift after. */
  async now(at = new Date()): Promise<DutyNowView> {
    const { now, next } = shiftsAround(at.getTime(), this.#opts.shifts, this.#opts.timeZone);
    return {
      timeZone: this.#opts.timeZone,
      at: at.toISOString(),
      now: now ? await this.#slotAt(now) : null,
      next: await this.#slotAt(next),
    };
  }

  /** The slot of the shift on duty at `at`, for a handover's heading. */
  current(at: Date): { day: string; shift: string } | null {
    const { now } = shiftsAround(at.getTime(), this.#opts.shifts, this.#opts.timeZone);
    return now ? { day: now.day, shift: now.shift.key } : null;
  }

  async #slotAt(o: ShiftOccurrence): Promise<DutyShiftTime> {
    return {
      day: o.day,
      shift: o.shift.key,
      shiftName: o.shift.name,
      startsAt: new Date(o.startsAt).toISOString(),
      endsAt: new Date(o.endsAt).toISOString(),
      entry: (await this.#store.duty.roster.get(o.day, o.shift.key)) ?? null,
    };
  }

  async #requirePerson(id: string, roles: readonly string[], field: string): Promise<void> {
    const user = await this.#store.users.findById(id);
    if (!user?.enabled || !roles.includes(user.role)) {
      throw fieldError(
        field,
        `人员 ${id} 不能担任该岗位 / ${id} cannot take that post (unknown, disabled or wrong role)`,
      );
    }
  }

  /** The change and its audit entry in one transaction (audit/auditedChange.ts). */
  #audited<T>(
    actor: Actor,
    change: (tx: StoreRepositories) => Promise<T>,
    entry: (result: T) => AuditLine,
  ): Promise<T> {
    return auditedChange(this.#store, { actorId: actor.userId, role: actor.role }, change, entry);
  }
}
