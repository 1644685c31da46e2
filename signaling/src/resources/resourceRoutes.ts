/**
 * Resources in the command room, under /api/v1 (staff only, checked by ResourceDesk):
 *
 *   GET  /resources                      the enabled teams, depots, shelters and experts (the map's layers)
 *   GET  /incidents/:id/nearest?limit=5  teams, depots and shelters nearest to the incident first
 *   POST /teams/:id/dispatch             { incidentId, text?, deadline? } → { team, task }
 *   POST /teams/:id/status               { status: 'returned' | 'available' }
 */
import { dispatchTeamSchema, nearestQuerySchema, teamStatusSchema } from '@beacon/protocol';
import { Router } from 'express';
import { claimsOf } from '../http/authRoutes.ts';
import { parseOrBadRequest } from '../validation.ts';
import type { ResourceDesk } from './ResourceDesk.ts';

export function resourceRouter(deps: { command: { resources: ResourceDesk } }): Router {
  const desk = deps.command.resources;
  const router = Router();

  router.get('/resources', async (_req, res) => {
    res.json(await desk.list(claimsOf(res)));
  });

  router.get('/incidents/:id/nearest', async (req, res) => {
    const { limit } = parseOrBadRequest(nearestQuerySchema, req.query);
    res.json(await desk.nearest(claimsOf(res), req.params.id, limit));
  });

  router.post('/teams/:id/dispatch', async (req, res) => {
    const input = parseOrBadRequest(dispatchTeamSchema, req.body);
    res.status(201).json(await desk.dispatch(claimsOf(res), req.params.id, input));
  });

  router.post('/teams/:id/status', async (req, res) => {
    const { status } = parseOrBadRequest(teamStatusSchema, req.body);
    res.json(await desk.setStatus(claimsOf(res), req.params.id, status));
  });

  return router;
}
