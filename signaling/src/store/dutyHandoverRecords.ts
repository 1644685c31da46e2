/**
 * Shift handovers (交接班): draft → handed_over → accepted (the diagram is in
 * @beacon/protocol's HANDOVER_TRANSITIONS). Each move is a compare-and-set
 * on the status, so two officers pressing at once cannot both move it.
 */
import type { HandoverContents, HandoverStatus, HandoverView } from '@beacon/protocol';
import { BeaconError, HANDOVER_TRANSITIONS } from '@beacon/protocol';
import type { HandoverRepository } from './dutyTypes.ts';
import { constraintOf, type SqlQueries, type SqlValue } from './sqlDb.ts';

interface HandoverRow {
  id: string;
  status: HandoverStatus;
  day: string | null;
  shift: string | null;
  contents: string;
  created_at: string;
  created_by: string;
  created_by_name: string;
  notes: string;
  handed_over_at: string | null;
  handed_over_by: string | null;
  handed_over_by_name: string | null;
  accepted_at: string | null;
  accepted_by: string | null;
  accepted_by_name: string | null;
  accept_note: string;
}

const toHandover = (r: HandoverRow): HandoverView => ({
  id: r.id,
  status: r.status,
  day: r.day,
  shift: r.shift,
  contents: JSON.parse(r.contents) as HandoverContents,
  createdAt: r.created_at,
  createdBy: r.created_by,
  createdByName: r.created_by_name,
  notes: r.notes,
  handedOverAt: r.handed_over_at,
  handedOverBy: r.handed_over_by,
  handedOverByName: r.handed_over_by_name,
  acceptedAt: r.accepted_at,
  acceptedBy: r.accepted_by,
  acceptedByName: r.accepted_by_name,
  acceptNote: r.accept_note,
});

/** Refuses a move the diagram does not draw: the caller's view of the handover was stale. */
function assertTransition(from: HandoverStatus, to: HandoverStatus): void {
  if (!HANDOVER_TRANSITIONS[from].includes(to)) {
    throw new BeaconError(
      'invalid_transition',
      `交接班已是“${from}”，不能改为“${to}” / handover is ${from}, not ${to}`,
    );
  }
}

export function handoverRepository(db: SqlQueries): HandoverRepository {
  const read = async (tx: SqlQueries, id: string) => {
    const row = await tx.get<HandoverRow>('SELECT * FROM duty_handovers WHERE id = ?', [id]);
    return row && toHandover(row);
  };
  /** Reads, checks the move, writes `set` only if the status is still the one read. */
  const move = (id: string, to: HandoverStatus, set: Record<string, SqlValue>) =>
    db.transaction(async (tx) => {
      const before = await read(tx, id);
      if (!before) throw BeaconError.notFound('handover');
      assertTransition(before.status, to);
      const columns = Object.keys(set);
      const changed = await tx.run(
        `UPDATE duty_handovers SET status = ?, ${columns.map((c) => `${c} = ?`).join(', ')} WHERE id = ? AND status = ?`,
        [to, ...Object.values(set), id, before.status],
      );
      if (changed.changes === 0) throw new BeaconError('invalid_transition', 'handover changed meanwhile');
      return { before, after: (await read(tx, id)) as HandoverView };
    });

  return {
    create: async (h) => {
      try {
        await db.run(
          `INSERT INTO duty_handovers (id, status, day, shift, contents, created_at, created_by, created_by_name)
           VALUES (?, 'draft', ?, ?, ?, ?, ?, ?)`,
          [h.id, h.day, h.shift, JSON.stringify(h.contents), h.contents.assembledAt, h.createdBy, h.createdByName],
        );
      } catch (err) {
        if (constraintOf(err) === 'unique') {
          throw new BeaconError('invalid_state', '已有未完成的交接班 / another handover is still open');
        }
        throw err;
      }
      return (await read(db, h.id)) as HandoverView;
    },
    get: (id) => read(db, id),
    open: async () => {
      const row = await db.get<HandoverRow>("SELECT * FROM duty_handovers WHERE status <> 'accepted'");
      return row && toHandover(row);
    },
    lastAccepted: async () => {
      const row = await db.get<HandoverRow>(
        "SELECT * FROM duty_handovers WHERE status = 'accepted' ORDER BY handed_over_at DESC, id DESC LIMIT 1",
      );
      return row && toHandover(row);
    },
    list: async (limit) =>
      (
        await db.all<HandoverRow>('SELECT * FROM duty_handovers ORDER BY created_at DESC, id DESC LIMIT ?', [limit])
      ).map(toHandover),
    handOver: (id, input) =>
      move(id, 'handed_over', {
        contents: JSON.stringify(input.contents),
        notes: input.notes,
        handed_over_at: input.at,
        handed_over_by: input.by,
        handed_over_by_name: input.byName,
      }),
    accept: (id, input) =>
      move(id, 'accepted', {
        accept_note: input.note,
        accepted_at: input.at,
        accepted_by: input.by,
        accepted_by_name: input.byName,
      }),
  };
}
