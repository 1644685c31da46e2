/**
 * The duty roster (排班: per day and shift, the leader on duty and the duty
 * officers) and the duty log (值班日志). People are users; their names and
 * phones are read from the users table, so an edited phone number shows on
 * every roster at once.
 */
import type { DutyLogEntry, DutyPerson, RosterEntryView } from '@beacon/protocol';
import { BeaconError } from '@beacon/protocol';
import type { DutyLogRepository, DutyRosterRepository, RosterSlot } from './dutyTypes.ts';
import { constraintOf, type SqlQueries } from './sqlDb.ts';

interface SlotRow {
  day: string;
  shift: string;
  leader_id: string | null;
  updated_at: string;
  updated_by: string;
}
interface PersonRow {
  id: string;
  display_name: string;
  username: string;
  role: string;
  phone: string | null;
}
interface OfficerRow extends PersonRow {
  day: string;
  shift: string;
}
interface LogRow {
  id: number;
  at: string;
  author_id: string;
  author_name: string;
  category: DutyLogEntry['category'];
  text: string;
}

const PERSON_COLUMNS = 'u.id, u.display_name, u.username, u.role, u.phone';
const toPerson = (r: PersonRow): DutyPerson => ({
  userId: r.id,
  displayName: r.display_name,
  username: r.username,
  role: r.role,
  phone: r.phone,
});
const toLog = (r: LogRow): DutyLogEntry => ({
  id: Number(r.id),
  at: r.at,
  authorId: r.author_id,
  authorName: r.author_name,
  category: r.category,
  text: r.text,
});
const slotKey = (day: string, shift: string): string => `${day}/${shift}`;
/** `2026-12` → days `2026-12-01` … `2026-12-31` compare between these. */
const monthRange = (month: string): [string, string] => [`${month}-01`, `${month}-32`];

/** Slots with their people; `where` selects slots (on `r`) and officers (on `o`) alike. */
async function readSlots(db: SqlQueries, where: string, params: string[]): Promise<RosterEntryView[]> {
  const slots = await db.all<SlotRow & { leader_name: string | null } & Partial<PersonRow>>(
    `SELECT r.day, r.shift, r.leader_id, r.updated_at, r.updated_by, ${PERSON_COLUMNS}
       FROM duty_roster r LEFT JOIN users u ON u.id = r.leader_id
      WHERE ${where.replaceAll('$', 'r')} ORDER BY r.day, r.shift`,
    params,
  );
  const officers = await db.all<OfficerRow>(
    `SELECT o.day, o.shift, ${PERSON_COLUMNS}
       FROM duty_roster_officers o JOIN users u ON u.id = o.user_id
      WHERE ${where.replaceAll('$', 'o')} ORDER BY o.day, o.shift, o.position`,
    params,
  );
  const bySlot = new Map<string, DutyPerson[]>();
  for (const row of officers) {
    const key = slotKey(row.day, row.shift);
    bySlot.set(key, [...(bySlot.get(key) ?? []), toPerson(row)]);
  }
  return slots.map((r) => ({
    day: r.day,
    shift: r.shift,
    leader: r.leader_id === null ? null : toPerson(r as PersonRow),
    officers: bySlot.get(slotKey(r.day, r.shift)) ?? [],
    updatedAt: r.updated_at,
    updatedBy: r.updated_by,
  }));
}

/** Writes a slot inside the caller's transaction (deleting it first); empty slots are not stored. */
async function writeSlot(tx: SqlQueries, slot: RosterSlot, by: string, at: string): Promise<void> {
  await tx.run('DELETE FROM duty_roster_officers WHERE day = ? AND shift = ?', [slot.day, slot.shift]);
  await tx.run('DELETE FROM duty_roster WHERE day = ? AND shift = ?', [slot.day, slot.shift]);
  if (slot.leaderId === null && slot.officerIds.length === 0) return;
  if (new Set(slot.officerIds).size !== slot.officerIds.length) {
    throw BeaconError.badRequest('值班员重复 / an officer is listed twice');
  }
  try {
    await tx.run('INSERT INTO duty_roster (day, shift, leader_id, updated_at, updated_by) VALUES (?, ?, ?, ?, ?)', [
      slot.day,
      slot.shift,
      slot.leaderId,
      at,
      by,
    ]);
    for (const [position, userId] of slot.officerIds.entries()) {
      await tx.run('INSERT INTO duty_roster_officers (day, shift, position, user_id) VALUES (?, ?, ?, ?)', [
        slot.day,
        slot.shift,
        position,
        userId,
      ]);
    }
  } catch (err) {
    if (constraintOf(err) === 'foreign_key')
      throw BeaconError.badRequest('排班中有未知人员 / unknown person on the roster');
    throw err;
  }
}

export function dutyRosterRepository(db: SqlQueries): DutyRosterRepository {
  const get = async (day: string, shift: string) => (await readSlots(db, '$.day = ? AND $.shift = ?', [day, shift]))[0];
  return {
    month: (month) => readSlots(db, '$.day >= ? AND $.day < ?', monthRange(month)),
    get,
    set: (slot, by) =>
      db.transaction(async (tx) => {
        const read = async () => (await readSlots(tx, '$.day = ? AND $.shift = ?', [slot.day, slot.shift]))[0] ?? null;
        const before = await read();
        await writeSlot(tx, slot, by, new Date().toISOString());
        return { before, after: await read() };
      }),
    replaceMonth: (month, slots, by) =>
      db.transaction(async (tx) => {
        const range = monthRange(month);
        const had = await tx.get<{ n: number }>(
          'SELECT COUNT(*) AS n FROM duty_roster WHERE day >= ? AND day < ?',
          range,
        );
        await tx.run('DELETE FROM duty_roster_officers WHERE day >= ? AND day < ?', range);
        await tx.run('DELETE FROM duty_roster WHERE day >= ? AND day < ?', range);
        const at = new Date().toISOString();
        for (const slot of slots) await writeSlot(tx, slot, by, at);
        return { replaced: Number(had?.n ?? 0) };
      }),
    people: async (roles) => {
      if (roles.length === 0) return [];
      const rows = await db.all<PersonRow>(
        `SELECT ${PERSON_COLUMNS} FROM users u
          WHERE u.enabled = 1 AND u.role IN (${roles.map(() => '?').join(', ')})
          ORDER BY u.display_name, u.username`,
        [...roles],
      );
      return rows.map(toPerson);
    },
  };
}

export function dutyLogRepository(db: SqlQueries): DutyLogRepository {
  return {
    append: async (input) => {
      const at = new Date().toISOString();
      const inserted = await db.get<{ id: number }>(
        `INSERT INTO duty_log (at, author_id, author_name, category, text) VALUES (?, ?, ?, ?, ?) RETURNING id`,
        [at, input.authorId, input.authorName, input.category, input.text],
      );
      return { id: Number(inserted?.id), at, ...input };
    },
    recent: async (limit) =>
      (await db.all<LogRow>('SELECT * FROM duty_log ORDER BY at DESC, id DESC LIMIT ?', [limit])).map(toLog),
    since: async (since, limit) =>
      (await db.all<LogRow>('SELECT * FROM duty_log WHERE at >= ? ORDER BY at, id LIMIT ?', [since, limit])).map(toLog),
  };
}
