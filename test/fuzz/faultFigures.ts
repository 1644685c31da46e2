/**
 * What each kill of the meeting faults section (meetingFaultsSection.ts) reports, and the clock it is measured
 * with: a condition polled until it holds, timed from the kill.
 */

export interface FaultFigures {
  /** What was killed, as the table's row names it. */
  fault: string;
  recovered: boolean;
  /** Kill → the condition that shows the service works again (null: not within the limit). */
  secondsToRecover: number | null;
  /** What "works again" means for this kind. */
  recoveredWhen: string;
  /** Answered ok to a client but not stored (null: no acks in this kind). Goal 0. */
  ackedButLost: number | null;
  /** Anything else the run saw (a dropped call, the restart delay). */
  note: string;
}

/**
 * Polls `check` every `intervalMs` until it resolves true; the seconds since `since` (performance.now()) when it
 * did, or null after `limitMs`. A throwing check counts as "not yet".
 */
export async function secondsUntil(
  since: number,
  check: () => Promise<boolean>,
  limitMs: number,
  intervalMs = 200,
): Promise<number | null> {
  const deadline = since + limitMs;
  for (;;) {
    if (await check().catch(() => false)) return Number(((performance.now() - since) / 1000).toFixed(2));
    if (performance.now() > deadline) return null;
    await new Promise((resolve) => setTimeout(resolve, intervalMs));
  }
}

/** Child processes of `pid` (from /proc), with their command names. */
export async function childProcesses(pid: number): Promise<{ pid: number; comm: string }[]> {
  const { readFile } = await import('node:fs/promises');
  const children = await readFile(`/proc/${pid}/task/${pid}/children`, 'utf8').catch(() => '');
  const found: { pid: number; comm: string }[] = [];
  for (const child of children.split(/\s+/).filter(Boolean).map(Number)) {
    const comm = (await readFile(`/proc/${child}/comm`, 'utf8').catch(() => '')).trim();
    if (comm) found.push({ pid: child, comm });
  }
  return found;
}

/** The first descendant of `pid` (breadth first) whose command name starts with `comm`. */
export async function descendant(pid: number, comm: string): Promise<number | null> {
  const queue = [pid];
  while (queue.length > 0) {
    const next = queue.shift() as number;
    for (const child of await childProcesses(next)) {
      if (child.comm.startsWith(comm)) return child.pid;
      queue.push(child.pid);
    }
  }
  return null;
}
