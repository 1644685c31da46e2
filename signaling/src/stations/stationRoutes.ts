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
 *
 * The command room (staff):
 *   GET /stations/states                   every enabled station's state for the map
 *   GET /stations/:id/series?range=24h|7d  the chart's points with the station (its thresholds)
 */
import {
  BeaconError,
  createStationSchema,
  readingBatchSchema,
  type StationSeries,
  type StationView,
  updateStationSchema,
} from '@beacon/protocol';
import { Router } from 'express';
import { z } from 'zod';
import { requireStaff } from '../command/staff.ts';
import { auditAdmin, registerKind } from '../http/admin/administeredKind.ts';
import { requireTownship } from '../http/admin/orgRoutes.ts';
import { claimsOf } from '../http/authRoutes.ts';
import { requireAccount } from '../rooms/permissions.ts';
import type { Store } from '../store/index.ts';
import { parseOrBadRequest } from '../validation.ts';
import type { StationService } from './StationService.ts';
import { tokenMatches } from './stationTokens.ts';

const HOUR_MS = 3_600_000;
const RANGES = {
  '24h': { ms: 24 * HOUR_MS, bucketMs: HOUR_MS / 12 },
  '7d': { ms: 7 * 24 * HOUR_MS, bucketMs: HOUR_MS },
};
const seriesQuerySchema = z.object({ range: z.enum(['24h', '7d']).default('24h') });

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
    const created = await stations.create(input);
    await auditAdmin({
      store,
      res,
      action: 'admin.station.create',
      target: created.station.id,
      detail: { after: created.station },
    });
    res.status(201).json(created);
  });
  router.post('/admin/stations/:id/token', async (req, res) => {
    const renewed = await stations.renewToken(req.params.id);
    await auditAdmin({ store, res, action: 'admin.station.token', target: req.params.id, detail: {} });
    res.json(renewed);
  });
  registerKind(router, store, {
    path: 'stations',
    what: 'station',
    repo: store.stations,
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
