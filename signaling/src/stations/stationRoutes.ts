/**
 * Monitoring stations under /api/v1.
 *
 * The ingest (no account: the station's own token, mounted before the account bearer check):
 *   POST /ingest/stations/:id/readings     { sentAt?, readings: [{ at, value }, …] } → { stored, duplicates, skewed }
 *     Authorization: Bearer <station token>. `station_unknown` (unknown or disabled), `unauthorized` (wrong
 *     token), `reading_invalid` (the reading at fault in `field`) — nothing of a refused batch is stored.
 *
 * The admin (admin accounts, each change audited with before/after):
 *   GET/POST /admin/stations, GET/PATCH /admin/stations/:id, POST /admin/stations/:id/{disable,enable,token}
 *   POST /admin/stations/import?filename=&commit=0|1   XLSX/CSV bytes: dry run, or all rows in one transaction
 *
 * The command room (staff):
 *   GET /stations/states                   every enabled station's state for the map
 *   GET /stations/:id/series?range=24h|7d  the chart's points with the station (its thresholds)
 */

import { createHash } from 'node:crypto';
import {
  BeaconError,
  createStationSchema,
  readingBatchSchema,
  type StationImportRow,
  type StationSeries,
  type StationView,
  updateStationSchema,
} from '@beacon/protocol';
import express, { type Request, type Response, Router } from 'express';
import { z } from 'zod';
import { DEFAULT_IMPORT_LIMITS } from '../admin-import/importRoutes.ts';
import { readWorkbook, tooLarge } from '../admin-import/readWorkbook.ts';
import { requireStaff } from '../command/staff.ts';
import { registerKind } from '../http/admin/administeredKind.ts';
import { requireTownship } from '../http/admin/orgRoutes.ts';
import { claimsOf } from '../http/authRoutes.ts';
import { requireAccount } from '../rooms/permissions.ts';
import type { Store } from '../store/index.ts';
import { parseOrBadRequest } from '../validation.ts';
import type { StationService } from './StationService.ts';
import { importStations } from './stationImport.ts';
import { tokenMatches } from './stationTokens.ts';

const HOUR_MS = 3_600_000;
const RANGES = {
  '24h': { ms: 24 * HOUR_MS, bucketMs: HOUR_MS / 12 },
  '7d': { ms: 7 * 24 * HOUR_MS, bucketMs: HOUR_MS },
};
const seriesQuerySchema = z.object({ range: z.enum(['24h', '7d']).default('24h') });
const importQuerySchema = z.object({
  filename: z.string().trim().min(1).max(200).default('stations.xlsx'),
  commit: z.enum(['0', '1']).default('0'),
});

/** The uploaded file's bytes (any content type but JSON), within the organisation import's size limit. */
async function rawBody(req: Request, res: Response): Promise<Buffer> {
  const parse = express.raw({ type: () => true, limit: DEFAULT_IMPORT_LIMITS.maxBytes });
  await new Promise<void>((resolve, reject) => {
    parse(req, res, (err?: unknown) => {
      if ((err as { type?: unknown } | undefined)?.type === 'entity.too.large') reject(tooLarge(DEFAULT_IMPORT_LIMITS));
      else if (err) reject(err);
      else resolve();
    });
  });
  return Buffer.isBuffer(req.body) ? req.body : Buffer.alloc(0);
}

/** Mounted at /api/v1/ingest, before the account bearer check. */
export function stationIngestRouter(deps: { store: Store; stations: StationService }): Router {
  const router = Router();
  router.post('/stations/:id/readings', async (req, res) => {
    const id = req.params.id;
    // Unknown first: a station id is printed on the station, not a secret; the token is.
    const hash = deps.stations.monitor.station(id)?.enabled ? await deps.store.stations.tokenHash(id) : undefined;
    if (hash === undefined) throw new BeaconError('station_unknown', `no enabled station ${id}`);
    const token = /^Bearer (\S+)$/.exec(req.get('authorization') ?? '')?.[1];
    if (!token || !tokenMatches(token, hash)) throw BeaconError.unauthorized('wrong station token');
    const batch = parseOrBadRequest(readingBatchSchema, req.body);
    res.json(await deps.stations.monitor.ingest(id, batch.readings, batch.sentAt));
  });
  return router;
}

/** Mounted in the account-authenticated /api/v1 block. */
export function stationRouter(deps: { store: Store; stations: StationService }): Router {
  const { store, stations } = deps;
  const router = Router();

  router.use('/admin/stations', (_req, res, next) => {
    requireAccount(claimsOf(res), 'org:administer');
    next();
  });
  router.post('/admin/stations', async (req, res) => {
    const input = parseOrBadRequest(createStationSchema, req.body);
    await requireTownship(store, input.townshipId);
    const created = await stations.create(input, claimsOf(res));
    res.status(201).json(created);
  });
  router.post('/admin/stations/import', async (req, res) => {
    const query = parseOrBadRequest(importQuerySchema, req.query);
    const data = await rawBody(req, res);
    const tables = await readWorkbook(data, query.filename, DEFAULT_IMPORT_LIMITS);
    const sheet = tables.find((t) => /站点|station/i.test(t.name)) ?? tables[0];
    if (!sheet) throw new BeaconError('import_malformed', '文件中没有表格 / no sheet in the file');
    const claims = claimsOf(res);
    // Written in the import's transaction when it commits.
    const audit = {
      actor: { actorId: claims.userId, role: claims.role },
      entry: (rows: readonly StationImportRow[]) => ({
        action: 'admin.station.import',
        target: query.filename,
        detail: {
          sha256: createHash('sha256').update(data).digest('hex'),
          created: rows.filter((r) => r.action === 'create').map((r) => r.id),
          updated: rows.filter((r) => r.action === 'update').map((r) => r.id),
        },
      }),
    };
    const report = await importStations(store, sheet, query.commit === '1', audit);
    if (query.commit === '1' && !report.committed) {
      const refused = report.rows.filter((r) => r.action === 'refused').length;
      const error = { code: 'import_invalid', message: `${refused} 行有错误，未导入 / rows refused: nothing imported` };
      res.status(422).json({ error, report });
      return;
    }
    if (report.committed) await stations.registryChanged();
    // New stations' tokens are in this answer only.
    res.set('cache-control', 'no-store').json(report);
  });
  router.post('/admin/stations/:id/token', async (req, res) => {
    const renewed = await stations.renewToken(req.params.id, claimsOf(res));
    res.json(renewed);
  });
  registerKind(router, store, {
    path: 'stations',
    what: 'station',
    repo: (repos) => repos.stations,
    patchSchema: updateStationSchema,
    view: (s: StationView) => s,
    prepare: async (_before, patch) => {
      if (patch.townshipId !== undefined) await requireTownship(store, patch.townshipId);
      return patch;
    },
    changed: () => stations.registryChanged(),
  });

  router.get('/stations/states', (_req, res) => {
    requireStaff(claimsOf(res));
    res.json(stations.monitor.views());
  });
  router.get('/stations/:id/series', async (req, res) => {
    requireStaff(claimsOf(res));
    const { range } = parseOrBadRequest(seriesQuerySchema, req.query);
    const station = await stations.get(req.params.id);
    // Rain is charted per hour (its 1 h thresholds apply to those bars), stages and displacement in finer steps.
    const { ms } = RANGES[range];
    const bucketMs = station.kind === 'rain' ? HOUR_MS : RANGES[range].bucketMs;
    const to = Date.now() + bucketMs;
    const from = to - ms - bucketMs;
    // Rainfall per bucket is a sum; a stage or a displacement the bucket's highest value.
    const points = await store.readings.series(station.id, from, to, bucketMs, station.kind === 'rain' ? 'sum' : 'max');
    const body: StationSeries & { station: StationView; bucketMs: number } = {
      stationId: station.id,
      from: new Date(from).toISOString(),
      to: new Date(to).toISOString(),
      points: points.map((p) => ({ at: new Date(p.atMs).toISOString(), value: p.value })),
      station,
      bucketMs,
    };
    res.json(body);
  });
  return router;
}
