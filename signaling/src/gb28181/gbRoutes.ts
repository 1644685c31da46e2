/**
 * GB/T 28181 cameras under /api/v1 (mounted only with BEACON_GB28181=on).
 *
 * The admin (admin accounts, each change audited; the password is kept as the digest HA1 only):
 *   GET  /admin/cameras                 devices with online state and channel count
 *   POST /admin/cameras                 { id (20 digits), name, password, townshipId? }
 *   PATCH /admin/cameras/:id            { name?, password?, townshipId?, enabled? }
 *   DELETE /admin/cameras/:id           the device and its channels
 *   POST /admin/cameras/:id/catalog     ask the online device for its channels again → { channels }
 *
 * The command room (staff):
 *   GET  /cameras                       every channel with position and online state (the map layer)
 *   POST /cameras/:channelId/view       start or join the live view → { roomId } (join it as audience);
 *                                       ?transport=tcp asks the device for RTP over TCP (we listen)
 *   DELETE /cameras/:channelId/view     end the live view
 *   POST /cameras/:channelId/ptz        { action: move|stop|presetCall|presetSet|presetDelete, … } → { command }
 *
 * A meeting's chair or co-chair (in the running room; see MeetingCameras):
 *   GET    /rooms/:roomId/cameras             { available: online channels, added: cameras it shows }
 *   POST   /rooms/:roomId/cameras             { channelId } → the camera's peer (a tile for everyone)
 *   DELETE /rooms/:roomId/cameras/:channelId  take it out (the live view ends if nothing else uses it)
 */
import {
  BeaconError,
  type CameraDeviceAdminView,
  cameraPtzSchema,
  createCameraDeviceSchema,
  updateCameraDeviceSchema,
} from '@beacon/protocol';
import { Router } from 'express';
import { z } from 'zod';
import { requireStaff } from '../command/staff.ts';
import { adminChange } from '../http/admin/administeredKind.ts';
import { requireTownship } from '../http/admin/orgRoutes.ts';
import { claimsOf } from '../http/authRoutes.ts';
import { requireAccount } from '../rooms/permissions.ts';
import type { Store } from '../store/index.ts';
import { parseOrBadRequest } from '../validation.ts';
import { digestHa1 } from './digest.ts';
import { GB_ID } from './GbError.ts';
import type { GbService } from './GbService.ts';

/** `?transport=tcp`: the device sends RTP over TCP to us (TCP passive) instead of UDP. */
const viewQuerySchema = z.object({ transport: z.enum(['udp', 'tcp']).default('udp') });

const addCameraSchema = z.object({ channelId: z.string().regex(GB_ID, 'a GB/T 28181 ID is 20 digits') });
const roomIdSchema = z.string().min(1).max(200);

export function cameraRouter(deps: { store: Store; cameras: GbService }): Router {
  const { store, cameras } = deps;
  const meetings = cameras.meetings;
  const realm = cameras.platform.options.realm;
  const router = Router();

  router.use('/admin/cameras', (_req, res, next) => {
    requireAccount(claimsOf(res), 'org:administer');
    next();
  });
  router.get('/admin/cameras', async (_req, res) => {
    const channels = await store.cameras.listChannels();
    const views: CameraDeviceAdminView[] = (await store.cameras.listDevices()).map((d) => ({
      ...d,
      online: cameras.isOnline(d.id),
      channels: channels.filter((c) => c.deviceId === d.id).length,
    }));
    res.json(views);
  });
  router.post('/admin/cameras', async (req, res) => {
    const input = parseOrBadRequest(createCameraDeviceSchema, req.body);
    if (input.townshipId !== null) await requireTownship(store, input.townshipId);
    const created = await adminChange(
      store,
      res,
      (tx) =>
        tx.cameras.createDevice({
          id: input.id,
          name: input.name,
          townshipId: input.townshipId,
          realm,
          ha1: digestHa1(input.id, realm, input.password),
        }),
      (device) => ({ action: 'admin.camera.create', target: device.id, detail: { after: device } }),
    );
    res.status(201).json(created);
  });
  router.patch('/admin/cameras/:id', async (req, res) => {
    const id = deviceId(req.params.id);
    const patch = parseOrBadRequest(updateCameraDeviceSchema, req.body);
    const before = await store.cameras.getDevice(id);
    if (!before) throw BeaconError.notFound('camera device');
    if (patch.townshipId) await requireTownship(store, patch.townshipId);
    const { password, ...rest } = patch;
    const after = await adminChange(
      store,
      res,
      (tx) =>
        tx.cameras.updateDevice(id, {
          ...rest,
          ...(password ? { realm, ha1: digestHa1(id, realm, password) } : {}),
        }),
      (updated) => ({
        action: 'admin.camera.update',
        target: id,
        detail: { before, after: updated, passwordChanged: password !== undefined },
      }),
    );
    res.json(after);
  });
  router.delete('/admin/cameras/:id', async (req, res) => {
    const id = deviceId(req.params.id);
    const before = await store.cameras.getDevice(id);
    if (!before) throw BeaconError.notFound('camera device');
    await adminChange(
      store,
      res,
      async (tx) => {
        if (!(await tx.cameras.deleteDevice(id))) throw BeaconError.notFound('camera device');
      },
      () => ({ action: 'admin.camera.delete', target: id, detail: { before } }),
    );
    res.status(204).end();
  });
  router.post('/admin/cameras/:id/catalog', async (req, res) => {
    const id = deviceId(req.params.id);
    if (!cameras.isOnline(id)) throw new BeaconError('terminal_offline', `device ${id} is not registered`);
    res.json({ channels: await cameras.refreshCatalog(id) });
  });

  router.get('/cameras', async (_req, res) => {
    requireStaff(claimsOf(res));
    res.json(await cameras.cameras());
  });
  router.post('/cameras/:channelId/view', async (req, res) => {
    const { transport } = parseOrBadRequest(viewQuerySchema, req.query);
    res.json(await cameras.watch(claimsOf(res), deviceId(req.params.channelId), transport));
  });
  router.delete('/cameras/:channelId/view', async (req, res) => {
    requireStaff(claimsOf(res));
    await cameras.unwatch(deviceId(req.params.channelId));
    res.status(204).end();
  });
  router.post('/cameras/:channelId/ptz', async (req, res) => {
    const request = parseOrBadRequest(cameraPtzSchema, req.body);
    res.json({ command: await cameras.ptz(claimsOf(res), deviceId(req.params.channelId), request) });
  });
  router.get('/rooms/:roomId/cameras', async (req, res) => {
    res.json(await meetings.list(claimsOf(res), parseOrBadRequest(roomIdSchema, req.params.roomId)));
  });
  router.post('/rooms/:roomId/cameras', async (req, res) => {
    const { channelId } = parseOrBadRequest(addCameraSchema, req.body);
    const roomId = parseOrBadRequest(roomIdSchema, req.params.roomId);
    res.status(201).json(await meetings.add(claimsOf(res), roomId, channelId));
  });
  router.delete('/rooms/:roomId/cameras/:channelId', async (req, res) => {
    const roomId = parseOrBadRequest(roomIdSchema, req.params.roomId);
    await meetings.remove(claimsOf(res), roomId, deviceId(req.params.channelId));
    res.status(204).end();
  });
  return router;
}

function deviceId(id: string): string {
  if (!GB_ID.test(id)) throw BeaconError.badRequest('a GB/T 28181 ID is 20 digits');
  return id;
}
