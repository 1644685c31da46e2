/**
 * The routes every administered kind shares, registered once per kind:
 *
 *   GET    /admin/<kind>?q=&page=&pageSize=&enabled=   a page and the total
 *   GET    /admin/<kind>/:id
 *   PATCH  /admin/<kind>/:id                           change fields
 *   POST   /admin/<kind>/:id/disable | /enable
 *
 * Each change is audited as `admin.<what>.<update|disable|enable>` with the
 * row before and after (through `view`, which leaves secrets out), in the
 * change's own transaction. Create
 * differs per kind (ids, passwords, SIP credentials) and lives with the kind.
 */
import { adminListQuerySchema, BeaconError, type Page } from '@beacon/protocol';
import type { Router } from 'express';
import type { z } from 'zod';
import { type AuditLine, auditedChange } from '../../audit/auditedChange.ts';
import type { AdminKind, Change, Store, StoreRepositories } from '../../store/index.ts';
import { parseOrBadRequest } from '../../validation.ts';
import { claimsOf } from '../authRoutes.ts';

export interface KindRoutes<Row, View, Patch> {
  /** URL segment: `departments`. */
  path: string;
  /** Audit action segment: `department` → `admin.department.update`. */
  what: string;
  /** The kind's repository among `repos` (the store's, or a transaction's). */
  repo: (repos: StoreRepositories) => AdminKind<Row, Patch>;
  patchSchema: z.ZodType<Patch>;
  /** What the client and the audit see of a row (users: without the password hash). */
  view: (row: Row) => View;
  /**
   * Checks and completes a PATCH against the row as it is (cross-field rules:
   * one owner, a role's unit); returns the patch to write. Default: as sent.
   */
  prepare?: (before: Row, patch: Patch) => Promise<Patch> | Patch;
  /** After a committed change: close sessions, resync Kamailio, … */
  changed?: (change: Change<Row>, action: 'update' | 'disable' | 'enable') => Promise<void> | void;
}

/**
 * An admin change and its audit line (with the acting admin and role) in one
 * transaction: `change` writes through the transaction's repositories, `entry`
 * says what to record of its result. Both are stored or neither.
 */
export function adminChange<T>(
  store: Pick<Store, 'transaction'>,
  res: Parameters<typeof claimsOf>[0],
  change: (tx: StoreRepositories) => Promise<T>,
  entry: (result: T) => AuditLine,
): Promise<T> {
  const claims = claimsOf(res);
  return auditedChange(store, { actorId: claims.userId, role: claims.role }, change, entry);
}

export function registerKind<Row, View, Patch>(router: Router, store: Store, kind: KindRoutes<Row, View, Patch>): void {
  const base = `/admin/${kind.path}`;

  router.get(base, async (req, res) => {
    const query = parseOrBadRequest(adminListQuerySchema, req.query);
    const enabled = query.enabled === undefined ? undefined : query.enabled === 'true';
    const found = await kind.repo(store).page({ q: query.q, page: query.page, pageSize: query.pageSize, enabled });
    const body: Page<View> = {
      items: found.items.map(kind.view),
      total: found.total,
      page: query.page,
      pageSize: query.pageSize,
    };
    res.json(body);
  });

  router.get(`${base}/:id`, async (req, res) => {
    const row = await kind.repo(store).get(req.params.id);
    if (!row) throw BeaconError.notFound(kind.what);
    res.json(kind.view(row));
  });

  const apply = async (
    res: Parameters<typeof claimsOf>[0],
    id: string,
    action: 'update' | 'disable' | 'enable',
    write: (repo: AdminKind<Row, Patch>) => Promise<Change<Row>>,
  ) => {
    const change = await adminChange(
      store,
      res,
      (tx) => write(kind.repo(tx)),
      (c) => ({
        action: `admin.${kind.what}.${action}`,
        target: id,
        detail: { before: kind.view(c.before), after: kind.view(c.after) },
      }),
    );
    await kind.changed?.(change, action);
    res.json(kind.view(change.after));
  };

  router.patch(`${base}/:id`, async (req, res) => {
    const patch = parseOrBadRequest(kind.patchSchema, req.body);
    const id = req.params.id;
    const current = await kind.repo(store).get(id);
    if (!current) throw BeaconError.notFound(kind.what);
    const prepared = kind.prepare ? await kind.prepare(current, patch) : patch;
    await apply(res, id, 'update', (repo) => repo.update(id, prepared));
  });

  for (const action of ['disable', 'enable'] as const) {
    router.post(`${base}/:id/${action}`, async (req, res) => {
      await apply(res, req.params.id, action, (repo) => repo.setEnabled(req.params.id, action === 'enable'));
    });
  }
}
