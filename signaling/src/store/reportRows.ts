/**
 * Rows of the report tables and how they become views: a chain's view is read
 * in a few set queries (chains, then their entries, photos and questions by
 * chain id) so an inbox of thousands of chains is not thousands of round trips.
 */
import type {
  ReportChainRef,
  ReportChainView,
  ReportEntryView,
  ReportKind,
  ReportPhotoView,
  ReportQuestionView,
  ReportState,
} from '@beacon/protocol';
import type { SqlQueries } from './sqlDb.ts';

export interface ChainRow {
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
  merged_into: string | null;
  merged_at: string | null;
  merged_by_name: string | null;
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
export interface PhotoRow {
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

export const CHAIN_SELECT = `SELECT c.*, COALESCE(t.name, d.name) AS unit_name FROM report_chains c
  LEFT JOIN townships t ON c.unit_kind = 'township' AND t.id = c.unit_id
  LEFT JOIN departments d ON c.unit_kind = 'department' AND d.id = c.unit_id`;

interface RefRow {
  id: string;
  unit_name: string | null;
  unit_id: string;
  title: string;
  merged_into: string | null;
  merged_at: string | null;
}
const REF_SELECT = `SELECT c.id, c.unit_id, c.title, c.merged_into, c.merged_at, COALESCE(t.name, d.name) AS unit_name
  FROM report_chains c
  LEFT JOIN townships t ON c.unit_kind = 'township' AND t.id = c.unit_id
  LEFT JOIN departments d ON c.unit_kind = 'department' AND d.id = c.unit_id`;
const toRef = (r: RefRow): ReportChainRef => ({ id: r.id, unitName: r.unit_name ?? r.unit_id, title: r.title });

export const toPhoto = (r: PhotoRow): ReportPhotoView => ({
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
export async function assemble(db: SqlQueries, chains: ChainRow[]): Promise<ReportChainView[]> {
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
  // Merges go one level deep: the chains these are merged into, and those merged into these.
  const mainIds = [...new Set(chains.flatMap((c) => (c.merged_into ? [c.merged_into] : [])))];
  const mains =
    mainIds.length === 0 ? [] : await db.all<RefRow>(`${REF_SELECT} WHERE c.id IN (${marks(mainIds.length)})`, mainIds);
  const duplicates = await db.all<RefRow>(
    `${REF_SELECT} WHERE c.merged_into IN (${marks(ids.length)}) ORDER BY c.merged_at, c.id`,
    ids,
  );
  const mainById = new Map(mains.map((m) => [m.id, toRef(m)]));
  const duplicatesByMain = groupBy(duplicates, (d) => d.merged_into);
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
    mergedInto: c.merged_into ? (mainById.get(c.merged_into) ?? null) : null,
    mergedAt: c.merged_at,
    mergedByName: c.merged_by_name,
    merged: (duplicatesByMain.get(c.id) ?? []).map(toRef),
  }));
}
