/**
 * Resource routes under /api/v1 (behind the bearer middleware): the caller,
 * rooms with live participant counts, townships and terminals.
 */

import type { Role } from '@beacon/protocol';
import { BeaconError, createRoomRequestSchema, type MediaCapabilitiesView, type RoomView } from '@beacon/protocol';
import { Router } from 'express';
import { auditedChange } from '../audit/auditedChange.ts';
import { createLogger } from '../logger.ts';
import { mayJoin, OPEN } from '../rooms/membership.ts';
import { ACCOUNT_PERMISSIONS, accountMay } from '../rooms/permissions.ts';
import type { RoomRegistry } from '../rooms/RoomRegistry.ts';
import type { RoomRecord, Store } from '../store/index.ts';
import { parseOrBadRequest } from '../validation.ts';
import { claimsOf, userView } from './authRoutes.ts';

const logger = createLogger('api');

/** Who may create conference rooms: the city side, not townships or services. */
const ROOM_CREATORS: readonly Role[] = ACCOUNT_PERMISSIONS['room:create'];
/** Who sees conference PINs (staff hand them out); the others see only the number. */
const PIN_READERS: readonly Role[] = ACCOUNT_PERMISSIONS['room:readPin'];

/** What the console reads at start: deployment choices it cannot know otherwise. */
export interface ClientSettings {
  map: { tileUrl: string | null; tileAttribution: string | null };
}

export function apiRouter(deps: { store: Store; registry: RoomRegistry; settings: ClientSettings }): Router {
  const { store, registry } = deps;
  const router = Router();

  router.get('/settings', (_req, res) => {
    res.json(deps.settings);
  });

  const roomView = (room: RoomRecord, role: Role): RoomView => ({
    ...room,
    participants: registry.participantCount(room.id),
    pin: PIN_READERS.includes(role) ? room.pin : null,
  });

  router.get('/me', async (_req, res) => {
    const claims = claimsOf(res);
    const user = await store.users.findById(claims.userId);
    // A token can outlive its user (deleted account): that token no longer identifies anyone.
    if (!user) throw BeaconError.unauthorized('user no longer exists');
    res.json(userView(user));
  });

  // Not a secret (the codecs Beacon's routers offer): any signed-in console may load its Device ahead of a join.
  router.get('/media/capabilities', (_req, res) => {
    // Null before the first room: not an error a console's log should show on every first join.
    res.json({ routerRtpCapabilities: registry.mediaCapabilities } satisfies MediaCapabilitiesView);
  });

  // Members-only rooms (another township's pull room, an emergency room it was not invited to) are not listed.
  router.get('/rooms', async (_req, res) => {
    const claims = claimsOf(res);
    const restricted = await store.roomMembers.listRestricted();
    res.json(
      (await store.rooms.list())
        .filter((room) => room.enabled && mayJoin(restricted.get(room.id) ?? OPEN, claims))
        .map((room) => roomView(room, claims.role)),
    );
  });

  router.post('/rooms', async (req, res) => {
    const claims = claimsOf(res);
    if (!ROOM_CREATORS.includes(claims.role))
      throw BeaconError.forbidden('only admin, chair or duty officer create rooms');
    const input = parseOrBadRequest(createRoomRequestSchema, req.body);
    const room = await auditedChange(
      store,
      { actorId: claims.userId, role: claims.role },
      (tx) => tx.rooms.create({ ...input, createdBy: claims.userId }),
      (created) => ({ action: 'room.create', target: created.id, detail: { title: created.title } }),
    );
    logger.info({ roomId: room.id, dialNumber: room.dialNumber, by: claims.username }, 'room created');
    res.status(201).json(roomView(room, claims.role));
  });

  // Pickers: disabled townships and terminals are kept for history but offered to no one.
  router.get('/townships', async (_req, res) => {
    res.json((await store.townships.list()).filter((t) => t.enabled));
  });

  router.get('/departments', async (_req, res) => {
    res.json((await store.departments.list()).filter((d) => d.enabled));
  });

  router.get('/terminals', async (_req, res) => {
    const claims = claimsOf(res);
    // The city side sees all terminals; a township or department its own, nobody else any.
    const terminals = accountMay(claims.role, 'terminals:readAll')
      ? await store.terminals.list()
      : claims.role === 'township' && claims.townshipId
        ? await store.terminals.listByTownship(claims.townshipId)
        : claims.role === 'department' && claims.departmentId
          ? await store.terminals.listByDepartment(claims.departmentId)
          : [];
    res.json(terminals.filter((t) => t.enabled));
  });

  return router;
}
