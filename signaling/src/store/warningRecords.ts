/**
 * Warnings and their deliveries (one row per warned township or department:
 * its line on the ack board). Every write here is one statement or transaction: when a
 * method's promise resolves, the row is committed (SQLite with synchronous=FULL,
 * PostgreSQL with its default synchronous_commit: on disk), so a caller may
 * answer "ok" right after.
 */
import type { AckBoardRow, Addressee, DialState, WarningArea, WarningSource, WarningView } from '@beacon/protocol';
import { BeaconError } from '@beacon/protocol';
import type { WarningRepository } from './commandTypes.ts';
import { constraintOf, type SqlQueries } from './sqlDb.ts';

/**
 * A draft from outside without an end time: '' in the NOT NULL column (see migration 18), which
 * every `expires > now` comparison reads as ended. The area's absence is JSON null.
 */
const NO_EXPIRES = '';

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
  /** JSON `{ townshipId: share }`; null on warnings drafted before boundaries (migration 7). */
  covered_shares: string | null;
  /** JSON array of department ids chosen by hand ('[]' on warnings before departments, migration 10). */
  department_ids: string;
  /** JSON WarningSource of a warning from outside (migration 18); null for Beacon's own. */
  source: string | null;
}

interface DeliveryRow {
  warning_id: string;
  township_id: string | null;
  department_id: string | null;
  delivered_at: string | null;
  acked_at: string | null;
  acked_by: string | null;
  acked_by_name: string | null;
  channel: AckBoardRow['channel'];
  notify_count: number;
  last_notified_at: string;
  covered_share: number | null;
  phone_state: DialState | null;
  phone_answered_at: string | null;
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
  area: JSON.parse(r.area) as WarningArea | null,
  areaDesc: r.area_desc,
  effective: r.effective,
  expires: r.expires === NO_EXPIRES ? null : r.expires,
  status: r.status,
  incidentId: r.incident_id,
  affectedTownshipIds: JSON.parse(r.affected_townships) as string[],
  escalationMinutes: r.escalation_minutes,
  createdAt: r.created_at,
  createdBy: r.created_by,
  issuedAt: r.issued_at,
  issuedBy: r.issued_by,
  coveredShares: r.covered_shares === null ? {} : (JSON.parse(r.covered_shares) as Record<string, number>),
  departmentIds: JSON.parse(r.department_ids) as string[],
  source: r.source === null ? null : (JSON.parse(r.source) as WarningSource),
});

const WARNING_COLUMNS = [
  'id',
  'identifier',
  'sender',
  'event',
  'colour',
  'urgency',
  'severity',
  'certainty',
  'headline',
  'description',
  'instruction',
  'area',
  'area_desc',
  'effective',
  'expires',
  'status',
  'incident_id',
  'affected_townships',
  'escalation_minutes',
  'created_at',
  'created_by',
  'issued_at',
  'issued_by',
  'covered_shares',
  'department_ids',
  'source',
] as const satisfies readonly (keyof WarningRow)[];

const INSERT_WARNING = `INSERT INTO warnings (${WARNING_COLUMNS.join(', ')})
  VALUES (${WARNING_COLUMNS.map(() => '?').join(', ')})`;

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
  expires: w.expires ?? NO_EXPIRES,
  status: w.status,
  incident_id: w.incidentId,
  affected_townships: JSON.stringify(w.affectedTownshipIds),
  escalation_minutes: w.escalationMinutes,
  created_at: w.createdAt,
  created_by: w.createdBy,
  issued_at: w.issuedAt,
  issued_by: w.issuedBy,
  covered_shares: JSON.stringify(w.coveredShares ?? {}),
  department_ids: JSON.stringify(w.departmentIds),
  source: w.source ? JSON.stringify(w.source) : null,
});

/** The columns a draft's content lives in (what `updateDraft` writes). */
const CONTENT_COLUMNS = WARNING_COLUMNS.filter(
  (c) =>
    !['id', 'identifier', 'sender', 'status', 'created_at', 'created_by', 'issued_at', 'issued_by', 'source'].includes(
      c,
    ),
);

/** The delivery column that names an addressee of this kind (a fixed name: safe to put in SQL). */
const addresseeColumn = (to: Addressee): 'township_id' | 'department_id' =>
  to.kind === 'township' ? 'township_id' : 'department_id';

const toBoardRow = (r: DeliveryRow): AckBoardRow => ({
  warningId: r.warning_id,
  townshipId: r.township_id,
  departmentId: r.department_id,
  deliveredAt: r.delivered_at,
  ackedAt: r.acked_at,
  ackedBy: r.acked_by,
  ackedByName: r.acked_by_name,
  channel: r.channel,
  notifyCount: r.notify_count,
  lastNotifiedAt: r.last_notified_at,
  coveredShare: r.covered_share,
  phoneState: r.phone_state,
  phoneAnsweredAt: r.phone_answered_at,
});

export function warningRepository(db: SqlQueries): WarningRepository {
  const board = async (q: SqlQueries, warningId: string) =>
    (await q.all<DeliveryRow>('SELECT * FROM alert_deliveries WHERE warning_id = ? ORDER BY rowid', [warningId])).map(
      toBoardRow,
    );
  const get = async (q: SqlQueries, id: string) => {
    const row = await q.get<WarningRow>('SELECT * FROM warnings WHERE id = ?', [id]);
    return row && toWarning(row);
  };
  const readDelivery = async (q: SqlQueries, warningId: string, to: Addressee) => {
    const row = await q.get<DeliveryRow>(
      `SELECT * FROM alert_deliveries WHERE warning_id = ? AND ${addresseeColumn(to)} = ?`,
      [warningId, to.id],
    );
    return row && toBoardRow(row);
  };
  const withWarning = async (rows: DeliveryRow[]) => {
    const cache = new Map<string, WarningView | undefined>();
    const out: { warning: WarningView; row: AckBoardRow }[] = [];
    for (const r of rows) {
      if (!cache.has(r.warning_id)) cache.set(r.warning_id, await get(db, r.warning_id));
      const warning = cache.get(r.warning_id);
      if (warning) out.push({ warning, row: toBoardRow(r) });
    }
    return out;
  };

  return {
    create: async (warning) => {
      const row = toRow(warning);
      try {
        await db.run(
          INSERT_WARNING,
          WARNING_COLUMNS.map((column) => row[column]),
        );
      } catch (err) {
        const kind = constraintOf(err);
        if (kind === 'unique' || kind === 'primary_key') {
          throw BeaconError.badRequest(`a warning with identifier "${warning.identifier}" exists already`);
        }
        if (kind === 'foreign_key') throw BeaconError.badRequest('unknown incident');
        throw err;
      }
      return warning;
    },
    get: (id) => get(db, id),
    findByIdentifier: async (identifier) => {
      const row = await db.get<WarningRow>('SELECT * FROM warnings WHERE identifier = ?', [identifier]);
      return row && toWarning(row);
    },
    list: async () => (await db.all<WarningRow>('SELECT * FROM warnings ORDER BY created_at DESC, id')).map(toWarning),
    issue: (id, by, at) =>
      db.transaction(async (tx) => {
        const warning = await get(tx, id);
        if (!warning) throw BeaconError.notFound('warning');
        const issued = await tx.run(
          "UPDATE warnings SET status = 'issued', issued_at = ?, issued_by = ? WHERE id = ? AND status = 'draft'",
          [at, by, id],
        );
        if (issued.changes !== 1) {
          throw new BeaconError('invalid_transition', `warning is ${warning.status}, not a draft`);
        }
        for (const townshipId of warning.affectedTownshipIds) {
          await tx.run(
            `INSERT INTO alert_deliveries (warning_id, township_id, notify_count, last_notified_at, covered_share)
             VALUES (?, ?, 1, ?, ?) ON CONFLICT DO NOTHING`,
            [id, townshipId, at, warning.coveredShares?.[townshipId] ?? null],
          );
        }
        for (const departmentId of warning.departmentIds) {
          await tx.run(
            `INSERT INTO alert_deliveries (warning_id, department_id, notify_count, last_notified_at)
             VALUES (?, ?, 1, ?) ON CONFLICT DO NOTHING`,
            [id, departmentId, at],
          );
        }
        return board(tx, id);
      }),
    cancel: async (id) => {
      await db.run("UPDATE warnings SET status = 'cancelled' WHERE id = ?", [id]);
    },
    updateDraft: (id, content) =>
      db.transaction(async (tx) => {
        const before = await get(tx, id);
        if (!before) throw BeaconError.notFound('warning');
        const row = toRow({ ...before, ...content });
        const { changes } = await tx.run(
          `UPDATE warnings SET ${CONTENT_COLUMNS.map((c) => `${c} = ?`).join(', ')} WHERE id = ? AND status = 'draft'`,
          [...CONTENT_COLUMNS.map((c) => row[c]), id],
        );
        if (changes !== 1) throw new BeaconError('invalid_transition', `warning is ${before.status}, not a draft`);
        return (await get(tx, id)) as WarningView;
      }),
    setSource: async (id, source) => {
      await db.run('UPDATE warnings SET source = ? WHERE id = ?', [JSON.stringify(source), id]);
    },
    board: (warningId) => board(db, warningId),
    delivery: (warningId, to) => readDelivery(db, warningId, to),
    markDelivered: async (warningId, to, at) => {
      const set = await db.run(
        `UPDATE alert_deliveries SET delivered_at = ?
         WHERE warning_id = ? AND ${addresseeColumn(to)} = ? AND delivered_at IS NULL`,
        [at, warningId, to.id],
      );
      const row = await readDelivery(db, warningId, to);
      return row && { row, changed: set.changes === 1 };
    },
    // `acked_at IS NULL` in the UPDATE keeps the first ack, also against another node acking at the same moment.
    ack: (warningId, to, { by, byName, channel, at }) =>
      db.transaction(async (tx) => {
        const acked = await tx.run(
          `UPDATE alert_deliveries SET acked_at = ?, acked_by = ?, acked_by_name = ?, channel = ?,
             delivered_at = COALESCE(delivered_at, ?)
           WHERE warning_id = ? AND ${addresseeColumn(to)} = ? AND acked_at IS NULL`,
          [at, by, byName, channel, at, warningId, to.id],
        );
        const row = await readDelivery(tx, warningId, to);
        return row && { row, changed: acked.changes === 1 };
      }),
    pendingFor: async (to, now) =>
      withWarning(
        await db.all<DeliveryRow>(
          `SELECT d.* FROM alert_deliveries d JOIN warnings w ON w.id = d.warning_id
           WHERE d.${addresseeColumn(to)} = ? AND d.acked_at IS NULL AND w.status = 'issued' AND w.expires > ?
           ORDER BY w.issued_at`,
          [to.id, now],
        ),
      ),
    unackedEscalating: async (now) =>
      withWarning(
        await db.all<DeliveryRow>(
          `SELECT d.* FROM alert_deliveries d JOIN warnings w ON w.id = d.warning_id
           WHERE d.acked_at IS NULL AND w.status = 'issued' AND w.escalation_minutes > 0 AND w.expires > ?`,
          [now],
        ),
      ),
    renotify: async (warningId, to, at, previous) => {
      const { changes } = await db.run(
        `UPDATE alert_deliveries SET notify_count = notify_count + 1, last_notified_at = ?
         WHERE warning_id = ? AND ${addresseeColumn(to)} = ? AND last_notified_at = ? AND acked_at IS NULL`,
        [at, warningId, to.id, previous],
      );
      return changes === 1 ? ((await readDelivery(db, warningId, to)) as AckBoardRow) : undefined;
    },
    phoneProgress: async (warningId, to, state, at) => {
      const { changes } = await db.run(
        `UPDATE alert_deliveries SET phone_state = ?, phone_state_at = ?,
           phone_answered_at = CASE WHEN ? = 'answered' THEN COALESCE(phone_answered_at, ?) ELSE phone_answered_at END
         WHERE warning_id = ? AND ${addresseeColumn(to)} = ?`,
        [state, at, state, at, warningId, to.id],
      );
      return changes === 1 ? readDelivery(db, warningId, to) : undefined;
    },
  };
}
