/**
 * SMS recipients of warnings (sms_recipients). Every move is one conditional
 * UPDATE built from smsState.ts's table, so it is atomic on both databases
 * and idempotent: a report applied twice changes nothing the second time.
 */
import type { SmsRecipientView, SmsRole, SmsState } from '@beacon/protocol';
import { type SmsEvent, smsFromList } from '../sms/smsState.ts';
import type { SmsRecipientWithWarning, SmsRepository } from './smsTypes.ts';
import type { SqlQueries } from './sqlDb.ts';
import { warningRepository } from './warningRecords.ts';

interface RecipientRow {
  id: string;
  warning_id: string;
  township_id: string | null;
  department_id: string | null;
  village_id: string | null;
  user_id: string | null;
  role: SmsRole;
  name: string;
  mobile: string;
  state: SmsState;
  notify_count: number;
  last_notified_at: string;
  attempt: number;
  notify_attempts: number;
  parts: number;
  last_sent_at: string | null;
  submitted_at: string | null;
  delivered_at: string | null;
  failed_at: string | null;
  failure: string | null;
  acked_at: string | null;
  reply: string | null;
}

const toView = (r: RecipientRow): SmsRecipientView => ({
  id: r.id,
  warningId: r.warning_id,
  townshipId: r.township_id,
  departmentId: r.department_id,
  villageId: r.village_id,
  userId: r.user_id,
  role: r.role,
  name: r.name,
  mobile: r.mobile,
  state: r.state,
  notifyCount: Number(r.notify_count),
  lastNotifiedAt: r.last_notified_at,
  notifyAttempts: Number(r.notify_attempts),
  attempt: Number(r.attempt),
  parts: Number(r.parts),
  lastSentAt: r.last_sent_at,
  submittedAt: r.submitted_at,
  deliveredAt: r.delivered_at,
  failedAt: r.failed_at,
  failure: r.failure,
  ackedAt: r.acked_at,
  reply: r.reply,
});

/** Recipients of issued, unexpired warnings (joined), plus a condition on the recipient. */
const OPEN = `SELECT r.* FROM sms_recipients r JOIN warnings w ON w.id = r.warning_id
  WHERE w.status = 'issued' AND w.expires > ? AND r.acked_at IS NULL`;

export function smsRepository(db: SqlQueries): SmsRepository {
  const warnings = warningRepository(db);
  const get = async (id: string) => {
    const row = await db.get<RecipientRow>('SELECT * FROM sms_recipients WHERE id = ?', [id]);
    return row && toView(row);
  };
  /** One move: `set` (with its params) where the state allows `event` and `extra` holds. */
  const move = async (
    id: string,
    event: SmsEvent,
    set: string,
    params: (string | number)[],
    extra = '',
    extraParams: (string | number)[] = [],
  ) => {
    const { changes } = await db.run(
      `UPDATE sms_recipients SET ${set} WHERE id = ? AND state IN ${smsFromList(event)}${extra}`,
      [...params, id, ...extraParams],
    );
    return changes === 1 ? get(id) : undefined;
  };
  const withWarning = async (rows: RecipientRow[]): Promise<SmsRecipientWithWarning[]> => {
    const cache = new Map<string, Awaited<ReturnType<typeof warnings.get>>>();
    const out: SmsRecipientWithWarning[] = [];
    for (const r of rows) {
      if (!cache.has(r.warning_id)) cache.set(r.warning_id, await warnings.get(r.warning_id));
      const warning = cache.get(r.warning_id);
      if (warning) out.push({ recipient: toView(r), warning });
    }
    return out;
  };

  return {
    add: async (warningId, recipients, at) => {
      await db.transaction(async (tx) => {
        for (const r of recipients) {
          await tx.run(
            `INSERT INTO sms_recipients (id, warning_id, township_id, department_id, village_id, user_id, role, name,
               mobile, state, notify_count, last_notified_at, attempt, notify_attempts, last_sent_at, created_at)
             VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, 'queued', 1, ?, 1, 1, ?, ?) ON CONFLICT DO NOTHING`,
            [
              r.id,
              warningId,
              r.townshipId,
              r.departmentId,
              r.villageId,
              r.userId,
              r.role,
              r.name,
              r.mobile,
              at,
              at,
              at,
            ],
          );
        }
      });
      return (
        await db.all<RecipientRow>('SELECT * FROM sms_recipients WHERE warning_id = ? ORDER BY rowid', [warningId])
      ).map(toView);
    },
    list: async (warningId) =>
      (await db.all<RecipientRow>('SELECT * FROM sms_recipients WHERE warning_id = ? ORDER BY rowid', [warningId])).map(
        toView,
      ),
    get,
    beginAttempt: (id, at) =>
      move(
        id,
        'attempt',
        `state = 'queued', attempt = attempt + 1, notify_attempts = notify_attempts + 1, last_sent_at = ?,
         submitted_at = NULL, delivered_at = NULL, failed_at = NULL, failure = NULL`,
        [at],
      ),
    // Kannel's answer may come after the delivery report: the time is kept, the state only moves from queued.
    submitted: async (id, attempt, parts, at) => {
      const { changes } = await db.run(
        `UPDATE sms_recipients SET submitted_at = COALESCE(submitted_at, ?), parts = ?,
           state = CASE WHEN state IN ${smsFromList('submitted')} THEN 'submitted' ELSE state END
         WHERE id = ? AND attempt = ? AND acked_at IS NULL`,
        [at, parts, id, attempt],
      );
      return changes === 1 ? get(id) : undefined;
    },
    delivered: (id, attempt, at) =>
      move(id, 'delivered', "state = 'delivered', delivered_at = ?", [at], ' AND attempt = ?', [attempt]),
    failed: (id, attempt, reason, at) =>
      move(
        id,
        'failed',
        "state = 'failed', failed_at = ?, failure = ?",
        [at, reason.slice(0, 200)],
        ' AND attempt = ?',
        [attempt],
      ),
    acked: (id, reply, at) => move(id, 'acked', "state = 'acked', acked_at = ?, reply = ?", [at, reply.slice(0, 200)]),
    replied: async (id, reply) => {
      const { changes } = await db.run('UPDATE sms_recipients SET reply = ? WHERE id = ?', [reply.slice(0, 200), id]);
      return changes === 1 ? get(id) : undefined;
    },
    openFor: async (mobile, now) =>
      withWarning(await db.all<RecipientRow>(`${OPEN} AND r.mobile = ? ORDER BY r.last_sent_at DESC`, [now, mobile])),
    unackedEscalating: async (now) =>
      withWarning(await db.all<RecipientRow>(`${OPEN} AND w.escalation_minutes > 0`, [now])),
    queued: async (now) => withWarning(await db.all<RecipientRow>(`${OPEN} AND r.state = 'queued'`, [now])),
    renotify: async (id, at, previous) => {
      const { changes } = await db.run(
        `UPDATE sms_recipients SET notify_count = notify_count + 1, last_notified_at = ?, notify_attempts = 0
         WHERE id = ? AND last_notified_at = ? AND acked_at IS NULL`,
        [at, id, previous],
      );
      return changes === 1 ? get(id) : undefined;
    },
  };
}
