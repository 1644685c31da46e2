/**
 * Meeting minutes (会议纪要) on both dialects: the decisions and action items are JSON read and written with the
 * minutes as a whole (like a depot's items); the version makes a save a compare-and-set.
 */
import type { MinutesFileRecord, MinutesRecord, MinutesRepository } from './minutesTypes.ts';
import type { SqlQueries } from './sqlDb.ts';

interface MinutesRow {
  booking_id: string;
  decisions: string;
  actions: string;
  text: string;
  version: number | string;
  updated_by: string;
  updated_by_name: string | null;
  updated_at: string;
}

const toMinutes = (r: MinutesRow): MinutesRecord => ({
  bookingId: r.booking_id,
  decisions: JSON.parse(r.decisions) as string[],
  actions: JSON.parse(r.actions) as MinutesRecord['actions'],
  text: r.text,
  version: Number(r.version),
  updatedBy: r.updated_by,
  updatedByName: r.updated_by_name,
  updatedAt: r.updated_at,
});

interface MinutesFileRow {
  id: string;
  booking_id: string;
  version: number | string;
  minutes_version: number | string;
  format: MinutesFileRecord['format'];
  name: string;
  bytes: number | string;
  sha256: string;
  issued_by: string;
  issued_by_name: string | null;
  issued_at: string;
}

const toFile = (r: MinutesFileRow): MinutesFileRecord => ({
  id: r.id,
  bookingId: r.booking_id,
  version: Number(r.version),
  minutesVersion: Number(r.minutes_version),
  format: r.format,
  name: r.name,
  bytes: Number(r.bytes),
  sha256: r.sha256,
  issuedBy: r.issued_by,
  issuedByName: r.issued_by_name,
  issuedAt: r.issued_at,
});

const FILE_SELECT = `SELECT f.*, u.display_name AS issued_by_name FROM booking_minutes_files f
  LEFT JOIN users u ON u.id = f.issued_by`;

export function minutesRepository(db: SqlQueries): MinutesRepository {
  return {
    get: async (bookingId) => {
      const row = await db.get<MinutesRow>(
        `SELECT m.*, u.display_name AS updated_by_name FROM booking_minutes m
         LEFT JOIN users u ON u.id = m.updated_by WHERE m.booking_id = ?`,
        [bookingId],
      );
      return row && toMinutes(row);
    },
    save: async (m, expected) => {
      const values = [JSON.stringify(m.decisions), JSON.stringify(m.actions), m.text, m.updatedBy, m.updatedAt];
      if (expected === 0) {
        // ON CONFLICT DO NOTHING: two first saves race; the one that loses changes nothing and is told so.
        const inserted = await db.run(
          `INSERT INTO booking_minutes (booking_id, decisions, actions, text, updated_by, updated_at, version)
           VALUES (?, ?, ?, ?, ?, ?, 1) ON CONFLICT (booking_id) DO NOTHING`,
          [m.bookingId, ...values],
        );
        return inserted.changes === 1 ? 1 : null;
      }
      const updated = await db.run(
        `UPDATE booking_minutes SET decisions = ?, actions = ?, text = ?, updated_by = ?, updated_at = ?,
           version = version + 1
         WHERE booking_id = ? AND version = ?`,
        [...values, m.bookingId, expected],
      );
      return updated.changes === 1 ? expected + 1 : null;
    },
    files: async (bookingId) =>
      (
        await db.all<MinutesFileRow>(`${FILE_SELECT} WHERE f.booking_id = ? ORDER BY f.version DESC, f.format`, [
          bookingId,
        ])
      ).map(toFile),
    file: async (id) => {
      const row = await db.get<MinutesFileRow>(`${FILE_SELECT} WHERE f.id = ?`, [id]);
      return row && toFile(row);
    },
    lastFileVersion: async (bookingId) => {
      const row = await db.get<{ last: number | string | null }>(
        'SELECT MAX(version) AS last FROM booking_minutes_files WHERE booking_id = ?',
        [bookingId],
      );
      return Number(row?.last ?? 0);
    },
    addFiles: async (files) => {
      for (const f of files) {
        await db.run(
          `INSERT INTO booking_minutes_files
             (id, booking_id, version, minutes_version, format, name, bytes, sha256, issued_by, issued_at)
           VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
          [f.id, f.bookingId, f.version, f.minutesVersion, f.format, f.name, f.bytes, f.sha256, f.issuedBy, f.issuedAt],
        );
      }
    },
  };
}
