/**
 * Duplicate reports (重复报送): two townships or departments often report one
 * event. The duty desk merges a duplicate chain into the one it keeps as the
 * event's main chain — the duplicate stays whole (its reporter still sees it,
 * marked as merged into the main one, and may keep reporting on it) but has no
 * deadlines of its own, and the inbox shows it under the main chain. A merge
 * can be undone. Both, with their audit entry, commit in one transaction.
 */
import { BeaconError, type ReportChainView } from '@beacon/protocol';
import type { Actor, CommandBus } from '../command/CommandBus.ts';
import { requireStaff } from '../command/staff.ts';
import type { MergedPair } from '../store/reportTypes.ts';
import { summary } from './reportEntries.ts';

/** Merges `duplicate` into `main` (both read by the caller); `invalid_state` when they belong to different incidents. */
export async function mergeChains(
  bus: CommandBus,
  actor: Actor,
  duplicate: ReportChainView,
  main: ReportChainView,
): Promise<MergedPair> {
  requireStaff(actor);
  if (duplicate.id === main.id)
    throw new BeaconError('invalid_state', '不能并入自身 / a chain cannot merge into itself');
  if (duplicate.incidentId && main.incidentId && duplicate.incidentId !== main.incidentId) {
    throw new BeaconError('invalid_state', '两份报告已关联不同事件 / the chains belong to different incidents');
  }
  return bus.audited(
    actor,
    (tx) => tx.reports.merge(duplicate.id, main.id, { at: new Date().toISOString(), byName: actor.displayName }),
    (pair) => ({
      action: 'report.merge',
      target: duplicate.id,
      detail: { into: main.id, before: summary(duplicate), after: summary(pair.duplicate) },
    }),
  );
}

/** Separates a merged chain from its main chain again. */
export async function unmergeChain(bus: CommandBus, actor: Actor, duplicate: ReportChainView): Promise<MergedPair> {
  requireStaff(actor);
  return bus.audited(
    actor,
    (tx) => tx.reports.unmerge(duplicate.id, new Date().toISOString()),
    (pair) => ({
      action: 'report.unmerge',
      target: duplicate.id,
      detail: { from: pair.main.id, before: summary(duplicate), after: summary(pair.duplicate) },
    }),
  );
}
