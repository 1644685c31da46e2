/**
 * Township boundaries (GeoJSON):
 *
 *   PUT /admin/boundaries?dryRun=true   check and match, report, write nothing
 *   PUT /admin/boundaries               the same checks; all written or nothing (audited with counts)
 *   GET /admin/boundaries               export as GeoJSON (imports back unchanged)
 *   DELETE /admin/boundaries/:townshipId  forget one (the township goes back to its seat point)
 *   GET /boundaries                     the same for the command room's map (staff)
 *
 * The body is read as text whatever its content type (`.geojson` files come
 * as application/geo+json, application/json or nothing), up to
 * BOUNDARY_LIMITS.maxBytes, so that "not JSON" and "too large" are the same
 * coded `boundary_invalid` as every other problem.
 */
import { BeaconError, BOUNDARY_LIMITS } from '@beacon/protocol';
import express, { type RequestHandler, type Router } from 'express';
import { z } from 'zod';
import type { CommandBus } from '../../command/CommandBus.ts';
import { boundariesAsGeoJson, planBoundaryImport } from '../../command/geo/planBoundaryImport.ts';
import { fileError } from '../../command/geo/readBoundaries.ts';
import { requireStaff } from '../../command/staff.ts';
import { createLogger } from '../../logger.ts';
import { requireAccount } from '../../rooms/permissions.ts';
import type { Store } from '../../store/index.ts';
import { parseOrBadRequest } from '../../validation.ts';
import { claimsOf } from '../authRoutes.ts';
import { adminChange } from './administeredKind.ts';

const logger = createLogger('boundaries');

const readText = express.text({ type: () => true, limit: BOUNDARY_LIMITS.maxBytes });

/**
 * Mounted ahead of the API's 100 kB JSON parser (createApp.ts), after the
 * bearer check: a county's boundaries are megabytes, read for admins only.
 * An oversized body becomes `boundary_invalid`.
 */
export const boundaryBodyParser: RequestHandler = (req, res, next) => {
  requireAccount(claimsOf(res), 'org:administer');
  readText(req, res, (err?: unknown) => {
    if ((err as { type?: unknown } | undefined)?.type === 'entity.too.large') {
      next(fileError('too_large', 'body', `> ${BOUNDARY_LIMITS.maxBytes} bytes`));
      return;
    }
    next(err);
  });
};

const importQuerySchema = z.object({ dryRun: z.enum(['true', 'false', '1', '0']).optional() });

/** `bus` tells the open command rooms to redraw their maps after a change. */
export function boundaryRoutes(router: Router, store: Store, bus: CommandBus): void {
  router.put('/admin/boundaries', async (req, res) => {
    const query = parseOrBadRequest(importQuerySchema, req.query);
    const dryRun = query.dryRun === 'true' || query.dryRun === '1';
    const text = typeof req.body === 'string' ? req.body : '';
    if (text.trim() === '') throw fileError('not_json', 'body', 'empty');
    const [townships, stored] = await Promise.all([store.townships.list(), store.boundaries.list()]);
    const plan = planBoundaryImport(text, townships, new Set(stored.map((b) => b.townshipId)), dryRun);
    if (dryRun) {
      res.json(plan.report);
      return;
    }
    const townshipIds = plan.rows.map((r) => r.townshipId);
    const { before, after } = await adminChange(
      store,
      res,
      (tx) => tx.boundaries.put(plan.rows, new Date().toISOString()),
      (counts) => ({
        action: 'admin.boundaries.import',
        target: 'boundaries',
        detail: { before: { townships: counts.before }, after: { townships: counts.after }, townshipIds },
      }),
    );
    logger.info({ features: plan.rows.length, before, after }, 'boundaries imported');
    bus.emit('boundaries', { count: after });
    res.json({ ...plan.report, before, after });
  });

  router.delete('/admin/boundaries/:townshipId', async (req, res) => {
    await adminChange(
      store,
      res,
      async (tx) => {
        const removed = await tx.boundaries.remove(req.params.townshipId);
        if (!removed) throw BeaconError.notFound('boundary');
        return removed;
      },
      ({ townshipId, areaKm2, updatedAt }) => ({
        action: 'admin.boundaries.remove',
        target: townshipId,
        detail: { before: { townshipId, areaKm2, updatedAt }, after: null },
      }),
    );
    bus.emit('boundaries', { count: await store.boundaries.count() });
    res.status(204).end();
  });

  const collection = async () => boundariesAsGeoJson(await store.boundaries.list(), await store.townships.list());

  router.get('/admin/boundaries', async (_req, res) => {
    res
      .attachment('boundaries.geojson')
      .type('application/geo+json')
      .send(JSON.stringify(await collection()));
  });

  router.get('/boundaries', async (_req, res) => {
    const claims = claimsOf(res);
    if (claims.role !== 'admin') requireStaff(claims);
    res.json(await collection());
  });
}
