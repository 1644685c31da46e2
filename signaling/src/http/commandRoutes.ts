/**
 * The rest of the command room under /api/v1: dispatch tasks, terminal
 * presence for the map, and the audit log (admin only; no route edits or
 * deletes an entry, and the database refuses to).
 */

import { BeaconError, createTaskSchema } from '@beacon/protocol';
import { Router } from 'express';
import { z } from 'zod';
import type { CommandRoom } from '../command/CommandRoom.ts';
import type { Store } from '../store/index.ts';
import { parseOrBadRequest } from '../validation.ts';
import { claimsOf } from './authRoutes.ts';

const id = z.string().min(1).max(128);
const taskFilterSchema = z.object({
  incidentId: id.optional(),
  townshipId: id.optional(),
  departmentId: id.optional(),
});
const auditQuerySchema = z.object({ limit: z.coerce.number().int().min(1).max(1000).default(100) });

export function commandRouter(deps: { store: Store; command: CommandRoom }): Router {
  const { store, command } = deps;
  const router = Router();

  router.post('/tasks', async (req, res) => {
    const input = parseOrBadRequest(createTaskSchema, req.body);
    res.status(201).json(await command.tasks.create(claimsOf(res), input));
  });

  router.get('/tasks', async (req, res) => {
    const filter = parseOrBadRequest(taskFilterSchema, req.query);
    res.json(await command.tasks.list(claimsOf(res), filter));
  });

  /**
   * "呼叫" on a township's card: a one-to-one emergency call with the township —
   * its terminal joins, its desk phone is dialled, the caller chairs.
   */
  router.post('/townships/:id/meeting', async (req, res) => {
    const township = await store.townships.get(req.params.id);
    if (!township) throw BeaconError.notFound('township');
    const result = await command.meetings.start(claimsOf(res), {
      title: `应急通话：${township.name}`,
      townshipIds: [township.id],
      incidentId: null,
      source: { townshipId: township.id },
    });
    res.status(201).json({ roomId: result.roomId, invitedTownshipIds: result.invitedTownshipIds });
  });

  router.get('/presence', async (_req, res) => {
    claimsOf(res);
    res.json(await command.presence.list());
  });

  router.get('/audit', async (req, res) => {
    if (claimsOf(res).role !== 'admin') throw BeaconError.forbidden('只有管理员可以查看审计日志 / audit is for admins');
    const { limit } = parseOrBadRequest(auditQuerySchema, req.query);
    res.json(await store.audit.list({ limit }));
  });

  return router;
}
