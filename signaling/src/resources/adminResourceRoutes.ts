/**
 * Emergency resources under /api/v1/admin (admin accounts only, checked by
 * adminRouter), administered like the organisation:
 *
 *   GET|POST /admin/{teams,depots,shelters,experts}, GET|PATCH /admin/<kind>/:id, POST …/:id/disable|enable
 *   POST /admin/resources/import?filename=资源.xlsx&commit=0|1[&kind=teams]
 *        body: the file's bytes. A dry run (commit=0) reports what would be created, updated or unchanged and
 *        every row's errors; commit=1 writes every row in one transaction, or nothing (422 import_invalid).
 *   GET  /admin/resources/export: the four sheets as the import reads them (an empty deployment: the template).
 *
 * Every change is audited with the row before and after (`admin.team.update`, `admin.resources.import`).
 */
import { createHash } from 'node:crypto';
import {
  createDepotSchema,
  createExpertSchema,
  createShelterSchema,
  createTeamSchema,
  RESOURCE_KINDS,
  type ResourceImportReport,
  type ShelterView,
  type TeamView,
  updateDepotSchema,
  updateExpertSchema,
  updateShelterSchema,
  updateTeamSchema,
} from '@beacon/protocol';
import type { Router } from 'express';
import { z } from 'zod';
import { DEFAULT_IMPORT_LIMITS, fileOf, type ImportOptions } from '../admin-import/importRoutes.ts';
import { type ReadLimits, readWorkbook } from '../admin-import/readWorkbook.ts';
import { adminChange, registerKind } from '../http/admin/administeredKind.ts';
import { fieldError, newId, requireDepartment, requireTownship } from '../http/admin/orgRoutes.ts';
import { claimsOf } from '../http/authRoutes.ts';
import { createLogger } from '../logger.ts';
import type { Store, StoreRepositories } from '../store/index.ts';
import { parseOrBadRequest } from '../validation.ts';
import { commitResourceImport, ID_PREFIX } from './commitResourceImport.ts';
import { exportResources } from './exportResources.ts';
import { planResourceImport } from './planResourceImport.ts';

const logger = createLogger('resources');

const importQuerySchema = z.object({
  filename: z.string().trim().min(1).max(200).default('resources.xlsx'),
  commit: z.enum(['0', '1']).default('0'),
  kind: z.enum(RESOURCE_KINDS).optional(),
});

const same = <T>(row: T): T => row;

/** A team, depot or shelter goes under an enabled unit only (as a village or a user does). */
async function requireUnits(store: Store, ids: { townshipId?: string | null; departmentId?: string | null }) {
  if (ids.townshipId) await requireTownship(store, ids.townshipId);
  if (ids.departmentId) await requireDepartment(store, ids.departmentId);
}

export function adminResourceRoutes(router: Router, store: Store, importOptions?: ImportOptions): void {
  /** The new row and its audit entry, in one transaction. */
  const created = async <Row extends { id: string }>(
    res: Parameters<typeof claimsOf>[0],
    what: string,
    create: (tx: StoreRepositories) => Promise<Row>,
  ) => {
    const row = await adminChange(store, res, create, (after) => ({
      action: `admin.${what}.create`,
      target: after.id,
      detail: { after },
    }));
    res.status(201).json(row);
  };

  router.post('/admin/teams', async (req, res) => {
    const input = parseOrBadRequest(createTeamSchema, req.body);
    await requireUnits(store, input);
    await created(res, 'team', (tx) => tx.resources.teams.create({ ...input, id: newId(ID_PREFIX.teams) }));
  });
  registerKind(router, store, {
    path: 'teams',
    what: 'team',
    repo: (repos) => repos.resources.teams,
    patchSchema: updateTeamSchema,
    view: same,
    prepare: async (before: TeamView, patch) => {
      await requireUnits(store, patch);
      const townshipId = patch.townshipId === undefined ? before.townshipId : patch.townshipId;
      const departmentId = patch.departmentId === undefined ? before.departmentId : patch.departmentId;
      if ((townshipId === null) === (departmentId === null)) {
        throw fieldError('townshipId', '须属于一个乡镇或一个部门 / belongs to exactly one township or department');
      }
      return patch;
    },
  });

  router.post('/admin/depots', async (req, res) => {
    const input = parseOrBadRequest(createDepotSchema, req.body);
    await requireUnits(store, input);
    await created(res, 'depot', (tx) => tx.resources.depots.create({ ...input, id: newId(ID_PREFIX.depots) }));
  });
  registerKind(router, store, {
    path: 'depots',
    what: 'depot',
    repo: (repos) => repos.resources.depots,
    patchSchema: updateDepotSchema,
    view: same,
    prepare: async (_before, patch) => {
      await requireUnits(store, patch);
      return patch;
    },
  });

  router.post('/admin/shelters', async (req, res) => {
    const input = parseOrBadRequest(createShelterSchema, req.body);
    await requireUnits(store, input);
    await created(res, 'shelter', (tx) => tx.resources.shelters.create({ ...input, id: newId(ID_PREFIX.shelters) }));
  });
  registerKind(router, store, {
    path: 'shelters',
    what: 'shelter',
    repo: (repos) => repos.resources.shelters,
    patchSchema: updateShelterSchema,
    view: same,
    prepare: async (before: ShelterView, patch) => {
      await requireUnits(store, patch);
      if ((patch.occupancy ?? before.occupancy) > (patch.capacity ?? before.capacity)) {
        throw fieldError('occupancy', '安置人数不能超过容量 / occupancy exceeds capacity');
      }
      return patch;
    },
  });

  router.post('/admin/experts', async (req, res) => {
    const input = parseOrBadRequest(createExpertSchema, req.body);
    await created(res, 'expert', (tx) => tx.resources.experts.create({ ...input, id: newId(ID_PREFIX.experts) }));
  });
  registerKind(router, store, {
    path: 'experts',
    what: 'expert',
    repo: (repos) => repos.resources.experts,
    patchSchema: updateExpertSchema,
    view: same,
  });

  router.get('/admin/resources/export', async (_req, res) => {
    res
      .attachment('应急资源.xlsx')
      .type('application/vnd.openxmlformats-officedocument.spreadsheetml.sheet')
      .send(await exportResources(store));
  });

  const limits: ReadLimits = { ...DEFAULT_IMPORT_LIMITS, ...importOptions };
  router.post('/admin/resources/import', async (req, res) => {
    const query = parseOrBadRequest(importQuerySchema, req.query);
    const data = await fileOf(req, res, limits);
    const tables = await readWorkbook(data, query.filename, limits);
    const plan = await planResourceImport(tables, store, query.kind);
    const report: ResourceImportReport = {
      file: query.filename,
      committed: false,
      counts: plan.counts,
      errors: plan.errors,
    };
    if (query.commit === '0') {
      res.json(report);
      return;
    }
    if (plan.errors.length > 0) {
      const message = `${plan.errors.length} 处错误，未导入 / rows refused: nothing imported`;
      res.status(422).json({ error: { code: 'import_invalid', message }, report });
      return;
    }
    const claims = claimsOf(res);
    await commitResourceImport(store, plan, {
      file: query.filename,
      sha256: createHash('sha256').update(data).digest('hex'),
      actor: { userId: claims.userId, role: claims.role },
    });
    logger.info({ file: query.filename, userId: claims.userId, counts: plan.counts }, 'resources imported');
    res.json({ ...report, committed: true } satisfies ResourceImportReport);
  });
}
