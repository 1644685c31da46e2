/**
 * A planned resource import written: every row in one transaction with one
 * audit entry (`admin.resources.import`, the file's name, SHA-256 and counts),
 * or nothing at all when any write is refused.
 */
import { createDepotSchema, createExpertSchema, createShelterSchema, createTeamSchema } from '@beacon/protocol';
import { newId } from '../http/admin/orgRoutes.ts';
import type { Store, StoreRepositories } from '../store/index.ts';
import type { PlannedResource, ResourcePlan } from './planResourceImport.ts';

/** Ids of resources created by an admin or an import: a kind prefix (物资库 `dpt`: departments have `dp`). */
export const ID_PREFIX = { teams: 'tm', depots: 'dpt', shelters: 'sh', experts: 'ex' } as const;

/** Every planned row in one transaction with one audit entry: all or nothing. */
export async function commitResourceImport(
  store: Store,
  plan: ResourcePlan,
  opts: { file: string; sha256: string; actor: { userId: string; role: string } },
): Promise<void> {
  await store.transaction(async (tx) => {
    for (const row of plan.rows) {
      if (row.action !== 'unchanged') await writeRow(tx, row);
    }
    await tx.audit.append({
      actorId: opts.actor.userId,
      role: opts.actor.role,
      action: 'admin.resources.import',
      target: opts.file,
      detail: { file: opts.file, sha256: opts.sha256, counts: plan.counts },
    });
  });
}

/** One planned row: created under a new id, or its changed fields written (the input passed the create schema). */
async function writeRow(tx: StoreRepositories, row: PlannedResource): Promise<void> {
  const id = row.id ?? newId(ID_PREFIX[row.kind]);
  switch (row.kind) {
    case 'teams': {
      const input = createTeamSchema.parse(row.input);
      await (row.id ? tx.resources.teams.update(id, input) : tx.resources.teams.create({ ...input, id }));
      return;
    }
    case 'depots': {
      const input = createDepotSchema.parse(row.input);
      await (row.id ? tx.resources.depots.update(id, input) : tx.resources.depots.create({ ...input, id }));
      return;
    }
    case 'shelters': {
      const input = createShelterSchema.parse(row.input);
      await (row.id ? tx.resources.shelters.update(id, input) : tx.resources.shelters.create({ ...input, id }));
      return;
    }
    case 'experts': {
      const input = createExpertSchema.parse(row.input);
      await (row.id ? tx.resources.experts.update(id, input) : tx.resources.experts.create({ ...input, id }));
      return;
    }
  }
}
