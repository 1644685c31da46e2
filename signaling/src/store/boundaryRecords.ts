/**
 * The townships' imported boundaries: one row per township, the geometry as
 * GeoJSON text with its area and bounding box kept beside it (the warning
 * desk tests the box before it clips).
 */
import type { BoundaryGeometry } from '@beacon/protocol';
import type { BoundaryRepository, StoredBoundary } from './boundaryTypes.ts';
import type { SqlQueries } from './sqlDb.ts';

interface BoundaryRow {
  township_id: string;
  geometry: string;
  area_km2: number;
  min_lon: number;
  min_lat: number;
  max_lon: number;
  max_lat: number;
  updated_at: string;
}

const toBoundary = (r: BoundaryRow): StoredBoundary => ({
  townshipId: r.township_id,
  geometry: JSON.parse(r.geometry) as BoundaryGeometry,
  areaKm2: r.area_km2,
  bbox: [r.min_lon, r.min_lat, r.max_lon, r.max_lat],
  updatedAt: r.updated_at,
});

const count = async (q: SqlQueries): Promise<number> =>
  Number((await q.get<{ n: number | string }>('SELECT COUNT(*) AS n FROM township_boundaries'))?.n ?? 0);

export function boundaryRepository(db: SqlQueries): BoundaryRepository {
  return {
    list: async () =>
      (
        await db.all<BoundaryRow>(
          'SELECT b.* FROM township_boundaries b JOIN townships t ON t.id = b.township_id ORDER BY t.rowid',
        )
      ).map(toBoundary),
    count: () => count(db),
    put: (boundaries, at) =>
      db.transaction(async (tx) => {
        const before = await count(tx);
        for (const b of boundaries) {
          const [minLon, minLat, maxLon, maxLat] = b.bbox;
          await tx.run(
            `INSERT INTO township_boundaries
               (township_id, geometry, area_km2, min_lon, min_lat, max_lon, max_lat, updated_at)
             VALUES (?, ?, ?, ?, ?, ?, ?, ?)
             ON CONFLICT (township_id) DO UPDATE SET geometry = excluded.geometry, area_km2 = excluded.area_km2,
               min_lon = excluded.min_lon, min_lat = excluded.min_lat, max_lon = excluded.max_lon,
               max_lat = excluded.max_lat, updated_at = excluded.updated_at`,
            [b.townshipId, JSON.stringify(b.geometry), b.areaKm2, minLon, minLat, maxLon, maxLat, at],
          );
        }
        return { before, after: await count(tx) };
      }),
    remove: (townshipId) =>
      db.transaction(async (tx) => {
        const row = await tx.get<BoundaryRow>('SELECT * FROM township_boundaries WHERE township_id = ?', [townshipId]);
        if (row) await tx.run('DELETE FROM township_boundaries WHERE township_id = ?', [townshipId]);
        return row && toBoundary(row);
      }),
  };
}
