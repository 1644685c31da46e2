/**
 * Response-time figures under /api/v1 (the command room's staff only):
 *
 *   GET /incidents/:id/response-times              one incident: every step per unit, and the summary
 *   GET /evaluation/response-times?from=&to=       every incident created in [from, to): their summaries
 */
import { BeaconError, responseTimesQuerySchema } from '@beacon/protocol';
import { Router } from 'express';
import { requireStaff } from '../command/staff.ts';
import { claimsOf } from '../http/authRoutes.ts';
import type { Store } from '../store/index.ts';
import { parseOrBadRequest } from '../validation.ts';
import { incidentResponseTimes, periodResponseTimes } from './responseTimes.ts';

export function evaluationRouter(deps: { store: Store }): Router {
  const { store } = deps;
  const router = Router();

  router.get('/incidents/:id/response-times', async (req, res) => {
    requireStaff(claimsOf(res));
    const incident = await store.incidents.get(req.params.id);
    if (!incident) throw BeaconError.notFound('incident');
    res.json(await incidentResponseTimes(store, incident));
  });

  router.get('/evaluation/response-times', async (req, res) => {
    requireStaff(claimsOf(res));
    const { from, to } = parseOrBadRequest(responseTimesQuerySchema, req.query);
    res.json(await periodResponseTimes(store, from, to));
  });

  return router;
}
