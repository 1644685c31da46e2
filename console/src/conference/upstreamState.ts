import type { UpstreamStatus } from '@beacon/protocol';

/**
 * What the link bar says of the room's link up: its state, except that a call the upstream placed itself
 * (it dialled the meeting's number) reads 上级呼入 rather than the connected state of a call we dialled —
 * the chair should see that the province came in on its own.
 */
export function upstreamStateKey(status: Pick<UpstreamStatus, 'state' | 'incoming'>): string {
  if (status.state === 'connected' && status.incoming) return 'upstream.states.incoming';
  return `upstream.states.${status.state}`;
}
