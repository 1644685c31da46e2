/**
 * Report chains (信息报送) on both dialects. A chain's view is read in a few
 * set queries (chains, then their entries, photos and questions by chain id)
 * so an inbox of thousands of chains is not thousands of round trips.
 */
import type {
  ReportChainView,
  ReportEntryView,
  ReportKind,
  ReportPhotoView,
  ReportQuestionView,
  ReportState,
} from '@beacon/protocol';
import { BeaconError } from '@beacon/protocol';
import type { NewReportEntry, ReportPhotoRecord, ReportRepository } from './reportTypes.ts';
import type { SqlQueries, SqlValue } from './sqlDb.ts';

interface ChainRow {
  id: string;
  unit_kind: 'township' | 'department';
  unit_id: string;
  unit_name: string | null;
  type: ReportChainView['type'];
  level: ReportChainView['level'];
  title: string;
  channel: ReportChainView['channel'];
  caller: string | null;
  state: ReportState;
  final: number;
  incident_id: string | null;
  occurred_at: string;
  lat: number;
  lon: number;
  created_at: string;
  updated_at: string;
  verified_at: string | null;
  verified_by_name: string | null;
  next_due_at: string | null;
  overdue: number;
}
interface EntryRow {
  id: string;
  chain_id: string;
  kind: ReportKind;
  at: string;
  by_id: string;
  by_name: string;
  occurred_at: string;
  lat: number;
  lon: number;
  description: string;
  deaths: number;
  injured: number;
  missing: number;
  trapped: number;
  affected: number;
  evacuated: number;
  late: number;
}
interface PhotoRow {
  id: string;
  uploaded_by: string;
  uploaded_at: string;
  entry_id: string | null;
  bytes: number;
  width: number;
  height: number;
  exif_lat: number | null;
  exif_lon: number | null;
  exif_taken_at: string | null;
}
interface QuestionRow {
  id: string;
  chain_id: string;
  asked_at: string;
  asked_by_name: string;
  text: string;
  answered_at: string | null;
  answered_by_name: string | null;
  answer: string | null;
}

const CHAIN_SELECT = `SELECT c.*, COALESCE(t.name, d.name) AS unit_name FROM report_chains c
  LEFT JOIN townships t ON c.unit_kind = 'township' AND t.id = c.unit_id
  LEFT JOIN departments d ON c.unit_kind = 'department' AND d.id = c.unit_id`;

const toPhoto = (r: PhotoRow): ReportPhotoView => ({
  id: r.id,
  bytes: Number(r.bytes),
  width: Number(r.width),
  height: Number(r.height),
  exifLocation: r.exif_lat === null || r.exif_lon === null ? null : [Number(r.exif_lat), Number(r.exif_lon)],
  exifTakenAt: r.exif_taken_at,
});
const toEntry = (r: EntryRow, photos: ReportPhotoView[]): ReportEntryView => ({
  id: r.id,
  chainId: r.chain_id,
  kind: r.kind,
  at: r.at,
  byId: r.by_id,
  byName: r.by_name,
  occurredAt: r.occurred_at,
  location: [Number(r.lat), Number(r.lon)],
  description: r.description,
  casualties: {
    deaths: Number(r.deaths),
    injured: Number(r.injured),
    missing: Number(r.missing),
    trapped: Number(r.trapped),
  },
  affected: Number(r.affected),
  evacuated: Number(r.evacuated),
  late: Number(r.late) === 1,
  photos,
});
const toQuestion = (r: QuestionRow): ReportQuestionView => ({
  id: r.id,
  chainId: r.chain_id,
  askedAt: r.asked_at,
  askedByName: r.asked_by_name,
  text: r.text,
  answeredAt: r.answered_at,
  answeredByName: r.answered_by_name,
  answer: r.answer,
});

const groupBy = <T, K>(rows: T[], key: (row: T) => K): Map<K, T[]> => {
  const map = new Map<K, T[]>();
  for (const row of rows) map.set(key(row), [...(map.get(key(row)) ?? []), row]);
  return map;
};
const marks = (n: number): string => Array.from({ length: n }, () => '?').join(', ');

/** Chain rows into views, with their entries (oldest first), photos and questions. */
async function assemble(db: SqlQueries, chains: ChainRow[]): Promise<ReportChainView[]> {
  if (chains.length === 0) return [];
  const ids = chains.map((c) => c.id);
  const entries = await db.all<EntryRow>(
    `SELECT * FROM report_entries WHERE chain_id IN (${marks(ids.length)}) ORDER BY at, id`,
    ids,
  );
  const photos =
    entries.length === 0
      ? []
      : await db.all<PhotoRow>(
          `SELECT p.* FROM report_photos p JOIN report_entries e ON e.id = p.entry_id
            WHERE e.chain_id IN (${marks(ids.length)}) ORDER BY p.uploaded_at, p.id`,
          ids,
        );
  const questions = await db.all<QuestionRow>(
    `SELECT * FROM report_questions WHERE chain_id IN (${marks(ids.length)}) ORDER BY asked_at, id`,
    ids,
  );
  const photosByEntry = groupBy(photos, (p) => p.entry_id);
  const entriesByChain = groupBy(entries, (e) => e.chain_id);
  const questionsByChain = groupBy(questions, (q) => q.chain_id);
  return chains.map((c) => ({
    id: c.id,
    unitKind: c.unit_kind,
    unitId: c.unit_id,
    unitName: c.unit_name ?? c.unit_id,
    type: c.type,
    level: c.level,
    title: c.title,
    channel: c.channel,
    caller: c.caller,
    state: c.state,
    final: Number(c.final) === 1,
    incidentId: c.incident_id,
    occurredAt: c.occurred_at,
    location: [Number(c.lat), Number(c.lon)],
    createdAt: c.created_at,
    updatedAt: c.updated_at,
    verifiedAt: c.verified_at,
    verifiedByName: c.verified_by_name,
    nextDueAt: c.next_due_at,
    overdue: Number(c.overdue) === 1,
    entries: (entriesByChain.get(c.id) ?? []).map((e) => toEntry(e, (photosByEntry.get(e.id) ?? []).map(toPhoto))),
    questions: (questionsByChain.get(c.id) ?? []).map(toQuestion),
  }));
}

async function insertEntry(tx: SqlQueries, chainId: string, e: NewReportEntry): Promise<void> {
  await tx.run(
    `INSERT INTO report_entries (id, chain_id, kind, at, by_id, by_name, occurred_at, lat, lon, description,
       deaths, injured, missing, trapped, affected, evacuated, late)
     VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
    [
      e.id,
      chainId,
      e.kind,
      e.at,
      e.byId,
      e.byName,
      e.occurredAt,
      e.location[0],
      e.location[1],
      e.description,
      e.casualties.deaths,
      e.casualties.injured,
      e.casualties.missing,
      e.casualties.trapped,
      e.affected,
      e.evacuated,
      e.late ? 1 : 0,
    ],
  );
  for (const photoId of new Set(e.photoIds)) {
    const changed = await tx.run(
      'UPDATE report_photos SET entry_id = ? WHERE id = ? AND uploaded_by = ? AND entry_id IS NULL',
      [e.id, photoId, e.byId],
    );
    if (changed.changes !== 1) {
      throw new BeaconError('report_invalid', `照片 ${photoId} 不可用 / photo ${photoId} is unknown or already used`);
    }
  }
}

export function reportRepository(db: SqlQueries): ReportRepository {
  const read = async (q: SqlQueries, id: string) =>
    (await assemble(q, await q.all<ChainRow>(`${CHAIN_SELECT} WHERE c.id = ?`, [id])))[0];
  const mustRead = async (q: SqlQueries, id: string) => {
    const chain = await read(q, id);
    if (!chain) throw BeaconError.notFound('report');
    return chain;
  };
  return {
    create: (chain, first) =>
      db.transaction(async (tx) => {
        await tx.run(
          `INSERT INTO report_chains (id, unit_kind, unit_id, type, level, title, channel, caller, state, final,
             occurred_at, lat, lon, created_at, created_by, updated_at, next_due_at, overdue)
           VALUES (?, ?, ?, ?, ?, ?, ?, ?, 'received', 0, ?, ?, ?, ?, ?, ?, ?, 0)`,
          [
            chain.id,
            chain.unitKind,
            chain.unitId,
            chain.type,
            chain.level,
            chain.title,
            chain.channel,
            chain.caller,
            chain.occurredAt,
            chain.location[0],
            chain.location[1],
            chain.createdAt,
            chain.createdBy,
            chain.createdAt,
            chain.nextDueAt,
          ],
        );
        await insertEntry(tx, chain.id, first);
        return mustRead(tx, chain.id);
      }),
    addEntry: (chainId, entry, deadline) =>
      db.transaction(async (tx) => {
        const updated = await tx.run(
          'UPDATE report_chains SET final = ?, next_due_at = ?, overdue = 0, updated_at = ? WHERE id = ? AND final = 0',
          [deadline.final ? 1 : 0, deadline.nextDueAt, entry.at, chainId],
        );
        if (updated.changes !== 1)
          throw new BeaconError('invalid_state', '终报后不能再报 / the chain has its final report');
        await insertEntry(tx, chainId, entry);
        return mustRead(tx, chainId);
      }),
    get: (id) => read(db, id),
    list: async (query) => {
      const where: string[] = [];
      const params: SqlValue[] = [];
      if (query.state) {
        where.push('c.state = ?');
        params.push(query.state);
      }
      if (query.unit) {
        where.push('c.unit_kind = ? AND c.unit_id = ?');
        params.push(query.unit.kind, query.unit.id);
      }
      if (query.incidentId) {
        where.push('c.incident_id = ?');
        params.push(query.incidentId);
      }
      const sql = `${CHAIN_SELECT}${where.length ? ` WHERE ${where.join(' AND ')}` : ''}
        ORDER BY c.created_at DESC, c.id LIMIT ?`;
      return assemble(db, await db.all<ChainRow>(sql, [...params, query.limit]));
    },
    setHandling: async (id, h, at) => {
      const sets = ['state = ?', 'updated_at = ?'];
      const params: SqlValue[] = [h.state, at];
      for (const [column, value] of [
        ['verified_at', h.verifiedAt],
        ['verified_by_name', h.verifiedByName],
        ['incident_id', h.incidentId],
        ['level', h.level],
        ['next_due_at', h.nextDueAt],
      ] as const) {
        if (value === undefined) continue;
        sets.push(`${column} = ?`);
        params.push(value);
      }
      await db.run(`UPDATE report_chains SET ${sets.join(', ')} WHERE id = ?`, [...params, id]);
      return mustRead(db, id);
    },
    setOverdue: async (id, overdue, at) => {
      // Conditional: with several nodes ticking, one of them flags the chain and tells everyone.
      const changed = await db.run(
        'UPDATE report_chains SET overdue = ?, updated_at = ? WHERE id = ? AND overdue <> ?',
        [overdue ? 1 : 0, at, id, overdue ? 1 : 0],
      );
      return changed.changes === 1 ? mustRead(db, id) : undefined;
    },
    dueBy: async (now) =>
      (
        await db.all<{ id: string }>(
          'SELECT id FROM report_chains WHERE final = 0 AND overdue = 0 AND next_due_at IS NOT NULL AND next_due_at <= ?',
          [now],
        )
      ).map((r) => r.id),
    ask: async (q) => {
      await db.run(
        'INSERT INTO report_questions (id, chain_id, asked_at, asked_by, asked_by_name, text) VALUES (?, ?, ?, ?, ?, ?)',
        [q.id, q.chainId, q.at, q.byId, q.byName, q.text],
      );
      await db.run('UPDATE report_chains SET updated_at = ? WHERE id = ?', [q.at, q.chainId]);
    },
    answer: async (a) => {
      const done = await db.run(
        `UPDATE report_questions SET answered_at = ?, answered_by = ?, answered_by_name = ?, answer = ?
          WHERE id = ? AND chain_id = ? AND answered_at IS NULL`,
        [a.at, a.byId, a.byName, a.text, a.questionId, a.chainId],
      );
      if (done.changes !== 1) return false;
      await db.run('UPDATE report_chains SET updated_at = ? WHERE id = ?', [a.at, a.chainId]);
      return true;
    },
    addPhoto: async (p) => {
      await db.run(
        `INSERT INTO report_photos (id, uploaded_by, uploaded_at, bytes, width, height, exif_lat, exif_lon, exif_taken_at)
         VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)`,
        [
          p.id,
          p.uploadedBy,
          p.uploadedAt,
          p.bytes,
          p.width,
          p.height,
          p.exifLocation?.[0] ?? null,
          p.exifLocation?.[1] ?? null,
          p.exifTakenAt,
        ],
      );
    },
    photo: async (id) => {
      const row = await db.get<
        PhotoRow & { chain_id: string | null; unit_kind: 'township' | 'department' | null; unit_id: string | null }
      >(
        `SELECT p.*, c.id AS chain_id, c.unit_kind, c.unit_id FROM report_photos p
           LEFT JOIN report_entries e ON e.id = p.entry_id LEFT JOIN report_chains c ON c.id = e.chain_id
          WHERE p.id = ?`,
        [id],
      );
      if (!row) return undefined;
      const record: ReportPhotoRecord = {
        ...toPhoto(row),
        uploadedBy: row.uploaded_by,
        uploadedAt: row.uploaded_at,
        entryId: row.entry_id,
        chainId: row.chain_id,
        unitKind: row.unit_kind,
        unitId: row.unit_id,
      };
      return record;
    },
    discardUnused: (before) =>
      db.transaction(async (tx) => {
        const rows = await tx.all<{ id: string }>(
          'SELECT id FROM report_photos WHERE entry_id IS NULL AND uploaded_at < ?',
          [before],
        );
        await tx.run('DELETE FROM report_photos WHERE entry_id IS NULL AND uploaded_at < ?', [before]);
        return rows.map((r) => r.id);
      }),
  };
}
