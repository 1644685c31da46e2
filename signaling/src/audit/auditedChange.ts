/**
 * A change and its audit entry in one transaction: both are stored or
 * neither. Before, the entry was appended after the change had committed, so
 * a crash in between left a change nobody could account for (and a retried
 * acknowledgement then found nothing to change and wrote no entry either).
 */
import type { Store, StoreRepositories } from '../store/StoreTypes.ts';

/** What one audit entry says; the actor comes from the caller. */
export interface AuditLine {
  action: string;
  target: string | null;
  detail?: unknown;
}

export interface AuditActor {
  actorId: string | null;
  role?: string | null;
}

/**
 * Runs `change` on a transaction's repositories, then appends the entry
 * `entry` makes of its result (null or none: nothing changed, nothing to
 * audit; several: one change of several rows, each audited) as the
 * transaction's last statements, and commits. A failing append rolls the
 * change back; a failing change writes no entry.
 */
export function auditedChange<T>(
  store: Pick<Store, 'transaction'>,
  actor: AuditActor,
  change: (tx: StoreRepositories) => Promise<T>,
  entry: (result: T) => AuditLine | readonly AuditLine[] | null,
): Promise<T> {
  return store.transaction(async (tx) => {
    const result = await change(tx);
    const made = entry(result);
    const lines = made === null ? [] : Array.isArray(made) ? made : [made as AuditLine];
    for (const line of lines) await tx.audit.append({ actorId: actor.actorId, role: actor.role ?? null, ...line });
    return result;
  });
}
