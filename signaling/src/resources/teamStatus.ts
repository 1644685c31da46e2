/**
 * The rescue team's status machine (diagram with TEAM_TRANSITIONS in
 * @beacon/protocol): a move the diagram does not draw is `invalid_transition`
 * and changes nothing.
 */
import { BeaconError, TEAM_TRANSITIONS, type TeamStatus } from '@beacon/protocol';

export function canMove(from: TeamStatus, to: TeamStatus): boolean {
  return TEAM_TRANSITIONS[from].includes(to);
}

export function assertTeamMove(from: TeamStatus, to: TeamStatus): void {
  if (!canMove(from, to)) {
    throw new BeaconError(
      'invalid_transition',
      `队伍状态不能从 ${from} 变为 ${to} / a team cannot go from ${from} to ${to}`,
    );
  }
}
