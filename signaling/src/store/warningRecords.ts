/**
 * Warnings and their deliveries (one row per warned township: its line on the
 * ack board). Every write here is a synchronous better-sqlite3 statement or
 * transaction: when a method returns, the row is committed (and, with
 * synchronous=FULL, on disk), so a caller may answer "ok" right after.
 */
import type { Database } from 'better-sqlite3';
import SqliteDatabase from 'better-sqlite3';
import type { AckBoardRow, WarningArea, WarningView } from '../protocol/command.ts';
import { BeaconError } from '../protocol/errors.ts';
import type { WarningRepository } from './commandTypes.ts';

interface WarningRow {
  id: string;
  identifier: string;
  sender: string;
  event: string;
  colour: WarningView['colour'];
  urgency: WarningView['urgency'];
  severity: WarningView['severity'];
  certainty: WarningView['certainty'];
  headline: string;
  description: string;
  instruction: string;
  area: string;
  area_desc: string;
  effective: string;
  expires: string;
  status: WarningView['status'];
  incident_id: string | null;
  affected_townships: string;
  escalation_minutes: number;
  created_at: string;
  created_by: string;
  issued_at: string | null;
  issued_by: string | null;
}

interface DeliveryRow {
  warning_id: string;
  township_id: string;
  delivered_at: string | null;
  acked_at: string | null;
  acked_by: string | null;
  acked_by_name: string | null;
  channel: AckBoardRow['channel'];
  notify_count: number;
  last_notified_at: string;
}

const toWarning = (r: WarningRow): WarningView => ({
  id: r.id,
  identifier: r.identifier,
  sender: r.sender,
  event: r.event,
  colour: r.colour,
  urgency: r.urgency,
  severity: r.severity,
  certainty: r.certainty,
  headline: r.headline,
  description: r.description,
  instruction: r.instruction,
  area: JSON.parse(r.area) as WarningArea,
  areaDesc: r.area_desc,
  effective: r.effective,
  expires: r.expires,
  status: r.status,
  incidentId: r.incident_id,
  affectedTownshipIds: JSON.parse(r.affected_townships) as string[],
  escalationMinutes: r.escalation_minutes,
  createdAt: r.created_at,
  createdBy: r.created_by,
  issuedAt: r.issued_at,
  issuedBy: r.issued_by,
});

const toRow = (w: WarningView): WarningRow => ({
  id: w.id,
  identifier: w.identifier,
  sender: w.sender,
  event: w.event,
  colour: w.colour,
  urgency: w.urgency,
  severity: w.severity,
  certainty: w.certainty,
  headline: w.headline,
  description: w.description,
  instruction: w.instruction,
  area: JSON.stringify(w.area),
  area_desc: w.areaDesc,
  effective: w.effective,
  expires: w.expires,
  status: w.status,
  incident_id: w.incidentId,
  affected_townships: JSON.stringify(w.affectedTownshipIds),
  escalation_minutes: w.escalationMinutes,
  created_at: w.createdAt,
  created_by: w.createdBy,
  issued_at: w.issuedAt,
  issued_by: w.issuedBy,
});

const toBoardRow = (r: DeliveryRow): AckBoardRow => ({
  warningId: r.warning_id,
  townshipId: r.township_id,
  deliveredAt: r.delivered_at,
  ackedAt: r.acked_at,
  ackedBy: r.acked_by,
  ackedByName: r.acked_by_name,
  channel: r.channel,
  notifyCount: r.notify_count,
  lastNotifiedAt: r.last_notified_at,
});

export function warningRepository(db: Database): WarningRepository {
  const insert = db.prepare<[WarningRow]>(
    `INSERT INTO warnings (id, identifier, sender, event, colour, urgency, severity, certainty, headline, description,
       instruction, area, area_desc, effective, expires, status, incident_id, affected_townships, escalation_minutes,
       created_at, created_by, issued_at, issued_by)
     VALUES (@id, @identifier, @sender, @event, @colour, @urgency, @severity, @certainty, @headline, @description,
       @instruction, @area, @area_desc, @effective, @expires, @status, @incident_id, @affected_townships,
       @escalation_minutes, @created_at, @created_by, @issued_at, @issued_by)`,
  );
  const byId = db.prepare<[string], WarningRow>('SELECT * FROM warnings WHERE id = ?');
  const all = db.prepare<[], WarningRow>('SELECT * FROM warnings ORDER BY created_at DESC, id');
  const markIssued = db.prepare<[string, string, string]>(
    "UPDATE warnings SET status = 'issued', issued_at = ?, issued_by = ? WHERE id = ? AND status = 'draft'",
  );
  const markCancelled = db.prepare<[string]>("UPDATE warnings SET status = 'cancelled' WHERE id = ?");
  const insertDelivery = db.prepare<[string, string, string]>(
    `INSERT OR IGNORE INTO alert_deliveries (warning_id, township_id, notify_count, last_notified_at)
     VALUES (?, ?, 1, ?)`,
  );
  const board = db.prepare<[string], DeliveryRow>('SELECT * FROM alert_deliveries WHERE warning_id = ? ORDER BY rowid');
  const delivery = db.prepare<[string, string], DeliveryRow>(
    'SELECT * FROM alert_deliveries WHERE warning_id = ? AND township_id = ?',
  );
  const setDelivered = db.prepare<[string, string, string]>(
    `UPDATE alert_deliveries SET delivered_at = ? WHERE warning_id = ? AND township_id = ? AND delivered_at IS NULL`,
  );
  const setAcked = db.prepare<[string, string, string, string, string, string, string]>(
    `UPDATE alert_deliveries SET acked_at = ?, acked_by = ?, acked_by_name = ?, channel = ?,
       delivered_at = COALESCE(delivered_at, ?)
     WHERE warning_id = ? AND township_id = ? AND acked_at IS NULL`,
  );
  const pendingFor = db.prepare<[string, string], DeliveryRow>(
    `SELECT d.* FROM alert_deliveries d JOIN warnings w ON w.id = d.warning_id
     WHERE d.township_id = ? AND d.acked_at IS NULL AND w.status = 'issued' AND w.expires > ?
     ORDER BY w.issued_at`,
  );
  const escalating = db.prepare<[string], DeliveryRow>(
    `SELECT d.* FROM alert_deliveries d JOIN warnings w ON w.id = d.warning_id
     WHERE d.acked_at IS NULL AND w.status = 'issued' AND w.escalation_minutes > 0 AND w.expires > ?`,
  );
  const bump = db.prepare<[string, string, string]>(
    `UPDATE alert_deliveries SET notify_count = notify_count + 1, last_notified_at = ?
     WHERE warning_id = ? AND township_id = ?`,
  );

  const get = (id: string) => {
    const row = byId.get(id);
    return row && toWarning(row);
  };
  const readDelivery = (warningId: string, townshipId: string) => {
    const row = delivery.get(warningId, townshipId);
    return row && toBoardRow(row);
  };
  const withWarning = (rows: DeliveryRow[]) => {
    const cache = new Map<string, WarningView | undefined>();
    return rows.flatMap((r) => {
      if (!cache.has(r.warning_id)) cache.set(r.warning_id, get(r.warning_id));
      const warning = cache.get(r.warning_id);
      return warning ? [{ warning, row: toBoardRow(r) }] : [];
    });
  };

  return {
    create: (warning) => {
      try {
        insert.run(toRow(warning));
      } catch (err) {
        const code = err instanceof SqliteDatabase.SqliteError ? err.code : '';
        if (code === 'SQLITE_CONSTRAINT_UNIQUE' || code === 'SQLITE_CONSTRAINT_PRIMARYKEY') {
          throw BeaconError.badRequest(`a warning with identifier "${warning.identifier}" exists already`);
        }
        if (code === 'SQLITE_CONSTRAINT_FOREIGNKEY') throw BeaconError.badRequest('unknown incident');
        throw err;
      }
      return warning;
    },
    get,
    list: () => all.all().map(toWarning),
    issue: (id, by, at) =>
      db
        .transaction(() => {
          const warning = get(id);
          if (!warning) throw BeaconError.notFound('warning');
          if (markIssued.run(at, by, id).changes !== 1) {
            throw new BeaconError('invalid_transition', `warning is ${warning.status}, not a draft`);
          }
          for (const townshipId of warning.affectedTownshipIds) insertDelivery.run(id, townshipId, at);
          return board.all(id).map(toBoardRow);
        })
        .immediate(),
    cancel: (id) => {
      markCancelled.run(id);
    },
    board: (warningId) => board.all(warningId).map(toBoardRow),
    delivery: readDelivery,
    markDelivered: (warningId, townshipId, at) => {
      const changed = setDelivered.run(at, warningId, townshipId).changes === 1;
      const row = readDelivery(warningId, townshipId);
      return row && { row, changed };
    },
    ack: (warningId, townshipId, { by, byName, channel, at }) =>
      db
        .transaction(() => {
          const changed = setAcked.run(at, by, byName, channel, at, warningId, townshipId).changes === 1;
          const row = readDelivery(warningId, townshipId);
          return row && { row, changed };
        })
        .immediate(),
    pendingFor: (townshipId, now) => withWarning(pendingFor.all(townshipId, now)),
    unackedEscalating: (now) => withWarning(escalating.all(now)),
    renotify: (warningId, townshipId, at) => {
      bump.run(at, warningId, townshipId);
      return readDelivery(warningId, townshipId) as AckBoardRow;
    },
  };
}
