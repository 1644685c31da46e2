/** Meetings on a schedule (会议预约) on both dialects: bookings, invitees with their receipts, materials. */
import { BeaconError } from '@beacon/protocol';
import {
  BOOKING_SELECT,
  type BookingRow,
  type InviteeRow,
  type MaterialRow,
  toBooking,
  toInvitee,
  toMaterial,
} from './bookingRows.ts';
import type { BookingChanges, BookingRepository, NewInvitee } from './bookingTypes.ts';
import type { SqlQueries, SqlValue } from './sqlDb.ts';

const sortable = (minutes: number[]): string => JSON.stringify([...new Set(minutes)].sort((a, b) => b - a));

async function insertInvitees(tx: SqlQueries, bookingId: string, invitees: readonly NewInvitee[]): Promise<void> {
  for (const i of invitees) {
    await tx.run('INSERT INTO booking_invitees (booking_id, kind, ref_id, name) VALUES (?, ?, ?, ?)', [
      bookingId,
      i.kind,
      i.refId,
      i.name,
    ]);
    await tx.run("INSERT INTO booking_receipts (booking_id, kind, ref_id, attendees) VALUES (?, ?, ?, '[]')", [
      bookingId,
      i.kind,
      i.refId,
    ]);
  }
}

async function attachMaterials(tx: SqlQueries, bookingId: string, ids: readonly string[], by: string): Promise<void> {
  for (const id of new Set(ids)) {
    const changed = await tx.run(
      'UPDATE booking_materials SET booking_id = ? WHERE id = ? AND uploaded_by = ? AND booking_id IS NULL',
      [bookingId, id, by],
    );
    if (changed.changes !== 1) {
      const err = new BeaconError('booking_invalid', `材料 ${id} 不可用 / material ${id} is unknown or already used`);
      err.field = 'materialIds';
      throw err;
    }
  }
}

/** Replaces the invitee list: kept ones keep their receipts. */
async function replaceInvitees(tx: SqlQueries, bookingId: string, invitees: readonly NewInvitee[]): Promise<void> {
  const key = (i: { kind: string; refId: string }) => `${i.kind}:${i.refId}`;
  const wanted = new Map(invitees.map((i) => [key(i), i]));
  const current = await tx.all<{ kind: string; ref_id: string }>(
    'SELECT kind, ref_id FROM booking_invitees WHERE booking_id = ?',
    [bookingId],
  );
  for (const row of current) {
    if (wanted.delete(key({ kind: row.kind, refId: row.ref_id }))) continue;
    const where = [bookingId, row.kind, row.ref_id];
    await tx.run('DELETE FROM booking_receipts WHERE booking_id = ? AND kind = ? AND ref_id = ?', where);
    await tx.run('DELETE FROM booking_invitees WHERE booking_id = ? AND kind = ? AND ref_id = ?', where);
  }
  await insertInvitees(tx, bookingId, [...wanted.values()]);
}

const COLUMNS: Partial<Record<keyof BookingChanges, string>> = {
  title: 'title',
  kind: 'kind',
  startsAt: 'starts_at',
  endsAt: 'ends_at',
  roomId: 'room_id',
  chairId: 'chair_id',
  reminders: 'reminders',
  record: 'record',
  dialPhones: 'dial_phones',
  remindersSent: 'reminders_sent',
};

export function bookingRepository(db: SqlQueries): BookingRepository {
  const list = async (where: string, params: SqlValue[]) =>
    (await db.all<BookingRow>(`${BOOKING_SELECT} WHERE ${where} ORDER BY b.starts_at, b.id`, params)).map(toBooking);
  return {
    create: (occurrences, invitees, materialIds) =>
      db.transaction(async (tx) => {
        for (const b of occurrences) {
          await tx.run(
            `INSERT INTO bookings (id, series_id, title, kind, starts_at, ends_at, room_id, room_created, chair_id,
               state, record, dial_phones, reminders, reminders_sent, repeat_until, created_by, created_at,
               updated_at)
             VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, 'scheduled', ?, ?, ?, ?, ?, ?, ?, ?)`,
            [
              b.id,
              b.seriesId,
              b.title,
              b.kind,
              b.startsAt,
              b.endsAt,
              b.roomId,
              b.roomCreated ? 1 : 0,
              b.chairId,
              b.record ? 1 : 0,
              b.dialPhones ? 1 : 0,
              sortable(b.reminders),
              b.remindersSent,
              b.repeatUntil,
              b.createdBy,
              b.createdAt,
              b.updatedAt,
            ],
          );
          await insertInvitees(tx, b.id, invitees);
        }
        const first = occurrences[0];
        if (first) await attachMaterials(tx, first.id, materialIds, first.createdBy);
      }),
    get: async (id) => {
      const row = await db.get<BookingRow>(`${BOOKING_SELECT} WHERE b.id = ?`, [id]);
      return row && toBooking(row);
    },
    invitees: async (bookingId) =>
      (
        await db.all<InviteeRow>(
          `SELECT i.kind, i.ref_id, i.name, r.delivered_at, r.confirmed_at, r.confirmed_by, r.confirmed_by_name,
             r.attendees
           FROM booking_invitees i
           LEFT JOIN booking_receipts r ON r.booking_id = i.booking_id AND r.kind = i.kind AND r.ref_id = i.ref_id
           WHERE i.booking_id = ? ORDER BY i.kind, i.name, i.ref_id`,
          [bookingId],
        )
      ).map(toInvitee),
    materials: async (bookingId) =>
      (
        await db.all<MaterialRow>('SELECT * FROM booking_materials WHERE booking_id = ? ORDER BY uploaded_at, id', [
          bookingId,
        ])
      ).map(toMaterial),
    inRange: (from, to) => list('b.starts_at < ? AND b.ends_at > ?', [to, from]),
    overlapping: (from, to, exceptId) =>
      list("b.starts_at < ? AND b.ends_at > ? AND b.state IN ('scheduled', 'started') AND b.id <> ?", [
        to,
        from,
        exceptId ?? '',
      ]),
    update: (id, changes, by, at) =>
      db.transaction(async (tx) => {
        const sets: string[] = ['updated_at = ?'];
        const params: SqlValue[] = [at];
        for (const [field, column] of Object.entries(COLUMNS) as [keyof BookingChanges, string][]) {
          const value = changes[field];
          if (value === undefined) continue;
          sets.push(`${column} = ?`);
          params.push(
            Array.isArray(value) ? sortable(value as number[]) : typeof value === 'boolean' ? (value ? 1 : 0) : value,
          );
        }
        const changed = await tx.run(`UPDATE bookings SET ${sets.join(', ')} WHERE id = ?`, [...params, id]);
        if (changed.changes === 0) throw BeaconError.notFound('meeting');
        if (changes.invitees) await replaceInvitees(tx, id, changes.invitees);
        if (changes.resetReceipts) {
          await tx.run(
            `UPDATE booking_receipts SET delivered_at = NULL, confirmed_at = NULL, confirmed_by = NULL,
               confirmed_by_name = NULL, attendees = '[]' WHERE booking_id = ?`,
            [id],
          );
        }
        if (changes.materialIds) await attachMaterials(tx, id, changes.materialIds, by);
      }),
    transition: async (id, from, to, extra) => {
      const changed = await db.run(
        'UPDATE bookings SET state = ?, cancel_reason = COALESCE(?, cancel_reason), updated_at = ? WHERE id = ? AND state = ?',
        [to, extra?.cancelReason ?? null, new Date().toISOString(), id, from],
      );
      return changed.changes === 1;
    },
    countReminder: async (id, sent, to) =>
      (
        await db.run(
          "UPDATE bookings SET reminders_sent = ? WHERE id = ? AND reminders_sent = ? AND state = 'scheduled'",
          [to, id, sent],
        )
      ).changes === 1,
    active: (until, now) =>
      list("(b.state = 'scheduled' AND b.starts_at <= ?) OR (b.state = 'started' AND b.ends_at <= ?)", [until, now]),
    forInvitee: (kind, refId, after) =>
      list(
        'b.ends_at > ? AND EXISTS (SELECT 1 FROM booking_invitees i WHERE i.booking_id = b.id AND i.kind = ? AND i.ref_id = ?)',
        [after, kind, refId],
      ),
    delivered: async (bookingId, kind, refId, at) => {
      const where = [bookingId, kind, refId];
      await db.run(
        'UPDATE booking_receipts SET delivered_at = ? WHERE booking_id = ? AND kind = ? AND ref_id = ? AND delivered_at IS NULL',
        [at, ...where],
      );
      return Boolean(
        await db.get('SELECT 1 AS one FROM booking_receipts WHERE booking_id = ? AND kind = ? AND ref_id = ?', where),
      );
    },
    confirm: async (bookingId, kind, refId, receipt) =>
      (
        await db.run(
          `UPDATE booking_receipts SET confirmed_at = ?, confirmed_by = ?, confirmed_by_name = ?, attendees = ?,
             delivered_at = COALESCE(delivered_at, ?)
           WHERE booking_id = ? AND kind = ? AND ref_id = ?`,
          [
            receipt.at,
            receipt.by,
            receipt.byName,
            JSON.stringify(receipt.attendees),
            receipt.at,
            bookingId,
            kind,
            refId,
          ],
        )
      ).changes === 1,
    addMaterial: async (m) => {
      await db.run(
        `INSERT INTO booking_materials (id, booking_id, name, mime, bytes, uploaded_by, uploaded_at)
         VALUES (?, NULL, ?, ?, ?, ?, ?)`,
        [m.id, m.name, m.mime, m.bytes, m.uploadedBy, m.uploadedAt],
      );
    },
    material: async (id) => {
      const row = await db.get<MaterialRow>('SELECT * FROM booking_materials WHERE id = ?', [id]);
      return row && toMaterial(row);
    },
    discardUnusedMaterials: (before) =>
      db.transaction(async (tx) => {
        const ids = (
          await tx.all<{ id: string }>(
            'SELECT id FROM booking_materials WHERE booking_id IS NULL AND uploaded_at < ?',
            [before],
          )
        ).map((r) => r.id);
        for (const id of ids) await tx.run('DELETE FROM booking_materials WHERE id = ?', [id]);
        return ids;
      }),
  };
}
