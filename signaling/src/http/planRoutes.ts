/**
 * Emergency plans (应急预案) and the responses they guide, under /api/v1.
 *
 *   GET  /plans                          the newest version of every plan (staff)
 *   GET  /plans/:type/:level             every version of one plan, newest first
 *   PUT  /plans/:type/:level             save the next version (admin, duty officer)
 *   GET  /plan-versions/:id              one version (what an incident's response used)
 *   GET  /incidents/:id/response         the running response: checklist, warning prefill, task preview; history
 *   POST /incidents/:id/response         { level }: start the response, or switch it to another level
 *   POST /incidents/:id/response/tasks   { townshipIds? }: send the previewed tasks (once)
 *   GET  /checklist                      the caller's items of running responses (a unit's page; staff: the desk's)
 *   POST /checklist/:id/done             tick an item the caller's unit is responsible for
 *
 * A plan body that does not parse is `plan_invalid` (with the field at fault), never stored.
 */
import {
  BeaconError,
  planInputSchema,
  planKeySchema,
  sendPlanTasksSchema,
  startResponseSchema,
} from '@beacon/protocol';
import { Router } from 'express';
import type { CommandRoom } from '../command/CommandRoom.ts';
import { parseOrBadRequest } from '../validation.ts';
import { claimsOf } from './authRoutes.ts';

function parsePlan(input: unknown) {
  try {
    return parseOrBadRequest(planInputSchema, input);
  } catch (err) {
    if (!(err instanceof BeaconError)) throw err;
    const invalid = new BeaconError('plan_invalid', err.message);
    invalid.field = err.field;
    throw invalid;
  }
}

export function planRouter(deps: { command: CommandRoom }): Router {
  const { plans, responses } = deps.command;
  const router = Router();

  router.get('/plans', async (_req, res) => {
    res.json(await plans.list(claimsOf(res)));
  });

  router.get('/plans/:type/:level', async (req, res) => {
    const { type, level } = parseOrBadRequest(planKeySchema, req.params);
    res.json(await plans.versions(claimsOf(res), type, level));
  });

  router.put('/plans/:type/:level', async (req, res) => {
    const { type, level } = parseOrBadRequest(planKeySchema, req.params);
    const input = parsePlan(req.body);
    res.status(201).json(await plans.save(claimsOf(res), type, level, input));
  });

  router.get('/plan-versions/:id', async (req, res) => {
    res.json(await plans.version(claimsOf(res), req.params.id));
  });

  router.get('/incidents/:id/response', async (req, res) => {
    res.json(await responses.state(claimsOf(res), req.params.id));
  });

  router.post('/incidents/:id/response', async (req, res) => {
    const { level } = parseOrBadRequest(startResponseSchema, req.body);
    res.status(201).json(await responses.start(claimsOf(res), req.params.id, level));
  });

  router.post('/incidents/:id/response/tasks', async (req, res) => {
    const { townshipIds } = parseOrBadRequest(sendPlanTasksSchema, req.body ?? {});
    res.status(201).json(await responses.sendTasks(claimsOf(res), req.params.id, townshipIds));
  });

  router.get('/checklist', async (_req, res) => {
    res.json(await responses.items(claimsOf(res)));
  });

  router.post('/checklist/:id/done', async (req, res) => {
    res.json(await responses.tick(claimsOf(res), req.params.id));
  });

  return router;
}
