/**
 * Where a join's time goes: a User Timing mark (`beacon:join:<step>`) at each
 * step from the page opening to the first remote picture, read by
 * `test/bench/joinLatency.ts` to print a per-step breakdown. A mark costs a
 * microsecond and is kept by the browser only until the next join starts.
 */
export type JoinStep =
  | 'start'
  | 'socket'
  | 'joined'
  | 'device'
  | 'transports'
  | 'ready'
  | 'consumer-new'
  | 'consumed'
  | 'connected'
  | 'resumed'
  | 'first-frame';

const PREFIX = 'beacon:join:';

/** Marks `step` once per join (the first video consumer's steps, not every consumer's). */
export function markJoin(step: JoinStep): void {
  if (typeof performance === 'undefined' || typeof performance.mark !== 'function') return;
  if (performance.getEntriesByName(PREFIX + step, 'mark').length > 0) return;
  performance.mark(PREFIX + step);
}

/** A new join attempt: the previous one's marks go. */
export function clearJoinMarks(): void {
  if (typeof performance === 'undefined' || typeof performance.getEntriesByType !== 'function') return;
  for (const entry of performance.getEntriesByType('mark')) {
    if (entry.name.startsWith(PREFIX)) performance.clearMarks(entry.name);
  }
}
