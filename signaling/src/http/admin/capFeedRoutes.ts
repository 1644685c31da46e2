/**
 * CAP feed subscriptions under /api/v1/admin (预警信息接入): the shared list,
 * edit and enable/disable routes of an administered kind, create, and "poll
 * now" (answers what the fetch did; a rejected feed is an answer, not an
 * error, since the admin asked to see it). Every change is audited.
 */
import { BeaconError, createCapFeedSchema, updateCapFeedSchema } from '@beacon/protocol';
import type { Router } from 'express';
import type { CommandRoom } from '../../command/CommandRoom.ts';
import type { Store } from '../../store/index.ts';
import { parseOrBadRequest } from '../../validation.ts';
import { claimsOf } from '../authRoutes.ts';
import { adminChange, registerKind } from './administeredKind.ts';
import { newId } from './orgRoutes.ts';

export function capFeedRoutes(router: Router, store: Store, command: CommandRoom): void {
  router.post('/admin/capFeeds', async (req, res) => {
    const input = parseOrBadRequest(createCapFeedSchema, req.body);
    const created = await adminChange(
      store,
      res,
      (tx) => tx.capFeeds.create({ ...input, id: newId('cf') }),
      (after) => ({ action: 'admin.capFeed.create', target: after.id, detail: { after } }),
    );
    res.status(201).json(created);
  });
  registerKind(router, store, {
    path: 'capFeeds',
    what: 'capFeed',
    repo: (repos) => repos.capFeeds,
    patchSchema: updateCapFeedSchema,
    view: (row) => row,
  });
  router.post('/admin/capFeeds/:id/poll', async (req, res) => {
    const feed = await store.capFeeds.get(req.params.id);
    if (!feed) throw BeaconError.notFound('capFeed');
    const result = await command.capFeeds.poll(feed);
    const claims = claimsOf(res);
    await store.audit.append({
      actorId: claims.userId,
      role: claims.role,
      action: 'admin.capFeed.poll',
      target: feed.id,
      detail: { result },
    });
    res.json(result);
  });
}
