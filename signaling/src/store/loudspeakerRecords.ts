/**
 * Loudspeaker calls of warnings (loudspeaker_calls): one row per warning and
 * loudspeaker. Every move is one conditional UPDATE on the call's attempt, so
 * a late report of an earlier attempt, or the same report twice, changes
 * nothing; a retry is a compare-and-set on the attempt (one node retries).
 */
import type { LoudspeakerCallState, LoudspeakerCallView, LoudspeakerFailure } from '@beacon/protocol';
import type { LoudspeakerCallRepository } from './loudspeakerTypes.ts';
import type { SqlQueries } from './sqlDb.ts';

interface CallRow {
  id: string;
  warning_id: string;
  terminal_id: string;
  township_id: string;
  village_id: string;
  name: string;
  extension: string;
  state: LoudspeakerCallState;
  failure: LoudspeakerFailure | null;
  reason: string | null;
  attempt: number;
  started_at: string;
  played_at: string | null;
  failed_at: string | null;
  updated_at: string;
}

const toView = (r: CallRow): LoudspeakerCallView => ({
  id: r.id,
  warningId: r.warning_id,
  terminalId: r.terminal_id,
  townshipId: r.township_id,
  villageId: r.village_id,
  name: r.name,
  extension: r.extension,
  state: r.state,
  failure: r.failure,
  reason: r.reason,
  attempt: Number(r.attempt),
  startedAt: r.started_at,
  playedAt: r.played_at,
  failedAt: r.failed_at,
  updatedAt: r.updated_at,
});

export function loudspeakerCallRepository(db: SqlQueries): LoudspeakerCallRepository {
  const get = async (id: string) => {
    const row = await db.get<CallRow>('SELECT * FROM loudspeaker_calls WHERE id = ?', [id]);
    return row && toView(row);
  };
  const list = async (warningId: string) =>
    (await db.all<CallRow>('SELECT * FROM loudspeaker_calls WHERE warning_id = ? ORDER BY name, id', [warningId])).map(
      toView,
    );
  /** One move: `set` where the row is at `attempt` in one of `from`; the row after, or undefined. */
  const move = async (id: string, attempt: number, from: string, set: string, params: (string | null)[]) => {
    const { changes } = await db.run(
      `UPDATE loudspeaker_calls SET ${set} WHERE id = ? AND attempt = ? AND state IN (${from})`,
      [...params, id, attempt],
    );
    return changes === 1 ? get(id) : undefined;
  };
  return {
    add: async (warningId, calls, at) => {
      await db.transaction(async (tx) => {
        for (const c of calls) {
          await tx.run(
            `INSERT INTO loudspeaker_calls (id, warning_id, terminal_id, township_id, village_id, name, extension, state,
               attempt, started_at, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?, 'calling', 1, ?, ?)
             ON CONFLICT (warning_id, terminal_id) DO NOTHING`,
            [c.id, warningId, c.terminalId, c.townshipId, c.villageId, c.name, c.extension, at, at],
          );
        }
      });
      return list(warningId);
    },
    list,
    get,
    playing: (id, attempt, at) => move(id, attempt, "'calling'", "state = 'playing', updated_at = ?", [at]),
    played: (id, attempt, at) =>
      move(id, attempt, "'calling', 'playing'", "state = 'played', played_at = ?, updated_at = ?", [at, at]),
    failed: (id, attempt, failure, reason, at) =>
      move(
        id,
        attempt,
        "'calling', 'playing'",
        "state = 'failed', failure = ?, reason = ?, failed_at = ?, updated_at = ?",
        [failure, reason, at, at],
      ),
    retry: async (id, previous, at) => {
      const { changes } = await db.run(
        `UPDATE loudspeaker_calls SET state = 'calling', attempt = attempt + 1, failure = NULL, reason = NULL,
           started_at = ?, failed_at = NULL, updated_at = ? WHERE id = ? AND attempt = ? AND state = 'failed'`,
        [at, at, id, previous],
      );
      return changes === 1 ? get(id) : undefined;
    },
  };
}
