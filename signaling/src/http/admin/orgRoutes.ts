/**
 * The organisation's units under /api/v1/admin: the deployment's area (one
 * row: GET/PUT /admin/area), townships, villages and communities, departments.
 */
import { randomUUID } from 'node:crypto';
import {
  areaSchema,
  BeaconError,
  createDepartmentSchema,
  createTownshipSchema,
  createVillageSchema,
  updateDepartmentSchema,
  updateTownshipSchema,
  updateVillageSchema,
  type VillageView,
} from '@beacon/protocol';
import type { Router } from 'express';
import type { Store } from '../../store/index.ts';
import { parseOrBadRequest } from '../../validation.ts';
import { adminChange, registerKind } from './administeredKind.ts';

/** Ids of admin-created rows: a kind prefix and 12 random hex digits (slugs are for seeded rows). */
export const newId = (prefix: string): string => `${prefix}-${randomUUID().replaceAll('-', '').slice(0, 12)}`;

const same = <T>(row: T): T => row;

export function orgRoutes(router: Router, store: Store): void {
  router.get('/admin/area', async (_req, res) => {
    const area = await store.area.get();
    if (!area) throw BeaconError.notFound('area');
    res.json(area);
  });
  router.put('/admin/area', async (req, res) => {
    const input = parseOrBadRequest(areaSchema, req.body);
    const { after } = await adminChange(
      store,
      res,
      (tx) => tx.area.set(input),
      (change) => ({ action: 'admin.area.update', target: 'area', detail: { ...change } }),
    );
    res.json(after);
  });

  router.post('/admin/townships', async (req, res) => {
    const input = parseOrBadRequest(createTownshipSchema, req.body);
    const created = await adminChange(
      store,
      res,
      (tx) => tx.townships.create({ ...input, id: newId('tw') }),
      (after) => ({ action: 'admin.township.create', target: after.id, detail: { after } }),
    );
    res.status(201).json(created);
  });
  registerKind(router, store, {
    path: 'townships',
    what: 'township',
    repo: (s) => s.townships,
    patchSchema: updateTownshipSchema,
    view: same,
  });

  router.post('/admin/villages', async (req, res) => {
    const input = parseOrBadRequest(createVillageSchema, req.body);
    await requireTownship(store, input.townshipId);
    const created = await adminChange(
      store,
      res,
      (tx) => tx.villages.create({ ...input, id: newId('vl') }),
      (after) => ({ action: 'admin.village.create', target: after.id, detail: { after } }),
    );
    res.status(201).json(created);
  });
  registerKind(router, store, {
    path: 'villages',
    what: 'village',
    repo: (s) => s.villages,
    patchSchema: updateVillageSchema,
    view: same,
    prepare: async (before: VillageView, patch) => {
      if (patch.townshipId !== undefined) await requireTownship(store, patch.townshipId);
      const lat = patch.lat === undefined ? before.lat : patch.lat;
      const lon = patch.lon === undefined ? before.lon : patch.lon;
      if ((lat === null) !== (lon === null)) {
        throw fieldError('lat', '经纬度须同时给出 / give both lat and lon, or neither');
      }
      return patch;
    },
  });

  router.post('/admin/departments', async (req, res) => {
    const input = parseOrBadRequest(createDepartmentSchema, req.body);
    const created = await adminChange(
      store,
      res,
      (tx) => tx.departments.create({ ...input, id: newId('dp') }),
      (after) => ({ action: 'admin.department.create', target: after.id, detail: { after } }),
    );
    res.status(201).json(created);
  });
  registerKind(router, store, {
    path: 'departments',
    what: 'department',
    repo: (s) => s.departments,
    patchSchema: updateDepartmentSchema,
    view: same,
  });
}

/** A `bad_request` naming the field. */
export function fieldError(field: string, message: string): BeaconError {
  const err = BeaconError.badRequest(message);
  err.field = field;
  return err;
}

/** New rows go under enabled units only; a disabled one is history. */
export async function requireTownship(store: Store, id: string): Promise<void> {
  const township = await store.townships.get(id);
  if (!township?.enabled) throw fieldError('townshipId', `没有启用的乡镇 ${id} / no enabled township "${id}"`);
}

export async function requireDepartment(store: Store, id: string): Promise<void> {
  const department = await store.departments.get(id);
  if (!department?.enabled) throw fieldError('departmentId', `没有启用的部门 ${id} / no enabled department "${id}"`);
}
