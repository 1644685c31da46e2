/**
 * What the outgoing shift hands over (交接班内容), read from the store at one
 * moment: open incidents, issued warnings some township has not acknowledged,
 * overdue tasks, and the duty log since the last accepted handover.
 */
import type { HandoverContents } from '@beacon/protocol';
import type { Store } from '../store/index.ts';

/** Incidents still being dealt with: not yet resolved or closed. */
const OPEN_INCIDENT = new Set(['reported', 'verified', 'responding']);
/** Without an earlier handover, the log of the last day goes with the first one. */
const FIRST_HANDOVER_LOOKBACK_MS = 24 * 60 * 60 * 1000;
/** A handover carries at most this many log entries (a printable page, not an archive). */
const MAX_LOG_ENTRIES = 500;

export async function assembleHandover(store: Store, at: Date): Promise<HandoverContents> {
  const previous = await store.duty.handovers.lastAccepted();
  const since = previous?.handedOverAt ?? new Date(at.getTime() - FIRST_HANDOVER_LOOKBACK_MS).toISOString();
  const nowIso = at.toISOString();
  const handedOver = new Set(previous?.contents.log.map((entry) => entry.id) ?? []);

  const incidents = (await store.incidents.list()).filter((i) => OPEN_INCIDENT.has(i.status));
  // Issuing needs an end time, so an issued warning always has one.
  const issued = (await store.warnings.list()).filter(
    (w): w is typeof w & { expires: string } => w.status === 'issued' && w.expires !== null && w.expires > nowIso,
  );
  const unackedWarnings: HandoverContents['unackedWarnings'] = [];
  for (const warning of issued) {
    const unacked = (await store.warnings.board(warning.id)).filter((row) => row.ackedAt === null);
    if (unacked.length === 0) continue;
    unackedWarnings.push({
      warningId: warning.id,
      headline: warning.headline,
      colour: warning.colour,
      issuedAt: warning.issuedAt,
      expires: warning.expires,
      unackedTownshipIds: unacked.flatMap((row) => (row.townshipId === null ? [] : [row.townshipId])),
      unackedDepartmentIds: unacked.flatMap((row) => (row.departmentId === null ? [] : [row.departmentId])),
    });
  }
  const overdueTasks = (await store.tasks.list({}, at)).filter((t) => t.overdue);

  return {
    assembledAt: nowIso,
    since,
    openIncidents: incidents.map((i) => ({
      id: i.id,
      title: i.title,
      type: i.type,
      level: i.level,
      status: i.status,
      townshipId: i.townshipId,
      createdAt: i.createdAt,
    })),
    unackedWarnings,
    overdueTasks: overdueTasks.map((t) => ({
      id: t.id,
      townshipId: t.townshipId,
      departmentId: t.departmentId,
      text: t.text,
      deadline: t.deadline,
      status: t.status,
    })),
    // An entry written in the same millisecond as the previous hand-over is both at `since` and in that
    // handover already: it is not handed over twice.
    log: (await store.duty.log.since(since, MAX_LOG_ENTRIES)).filter((entry) => !handedOver.has(entry.id)),
  };
}
