/** Report chains (信息报送) on both dialects; reportRows.ts turns their rows into views. */
import { BeaconError } from '@beacon/protocol';
import { assemble, CHAIN_SELECT, type ChainRow, type PhotoRow, toPhoto } from './reportRows.ts';
import type { NewReportEntry, ReportPhotoRecord, ReportRepository } from './reportTypes.ts';
import type { SqlQueries, SqlValue } from './sqlDb.ts';

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
      if (query.unit && query.orInvolvedDepartment) {
        where.push(`((c.unit_kind = ? AND c.unit_id = ?) OR c.incident_id IN
          (SELECT incident_id FROM incident_departments WHERE department_id = ?))`);
        params.push(query.unit.kind, query.unit.id, query.orInvolvedDepartment);
      } else if (query.unit) {
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
          `SELECT id FROM report_chains
            WHERE final = 0 AND overdue = 0 AND merged_into IS NULL AND next_due_at IS NOT NULL AND next_due_at <= ?`,
          [now],
        )
      ).map((r) => r.id),
    merge: (id, into, by) =>
      db.transaction(async (tx) => {
        // One level deep, checked in the statement itself so two desks merging at once cannot build a chain of merges.
        const changed = await tx.run(
          `UPDATE report_chains SET merged_into = ?, merged_at = ?, merged_by_name = ?, overdue = 0, updated_at = ?
            WHERE id = ? AND id <> ? AND merged_into IS NULL
              AND NOT EXISTS (SELECT 1 FROM report_chains d WHERE d.merged_into = ?)
              AND EXISTS (SELECT 1 FROM report_chains m WHERE m.id = ? AND m.merged_into IS NULL)`,
          [into, by.at, by.byName, by.at, id, into, id, into],
        );
        if (changed.changes !== 1) {
          throw new BeaconError('invalid_state', '该报告不能合并 / the chain cannot be merged into that one');
        }
        await tx.run('UPDATE report_chains SET updated_at = ? WHERE id = ?', [by.at, into]);
        return { duplicate: await mustRead(tx, id), main: await mustRead(tx, into) };
      }),
    unmerge: (id, at) =>
      db.transaction(async (tx) => {
        const row = await tx.get<{ merged_into: string | null }>('SELECT merged_into FROM report_chains WHERE id = ?', [
          id,
        ]);
        if (!row?.merged_into) throw new BeaconError('invalid_state', '该报告未被合并 / the chain is not merged');
        await tx.run(
          `UPDATE report_chains SET merged_into = NULL, merged_at = NULL, merged_by_name = NULL, updated_at = ?
            WHERE id = ?`,
          [at, id],
        );
        await tx.run('UPDATE report_chains SET updated_at = ? WHERE id = ?', [at, row.merged_into]);
        return { duplicate: await mustRead(tx, id), main: await mustRead(tx, row.merged_into) };
      }),
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
