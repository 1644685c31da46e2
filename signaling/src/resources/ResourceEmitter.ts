/** Turns the resource desk's team changes into `team:updated` for the command room's staff. */
import type { TeamView } from '@beacon/protocol';
import { STAFF_ROOM } from '../socket/CommandEmitter.ts';
import type { BeaconServer } from '../socket/types.ts';
import type { ResourceDesk } from './ResourceDesk.ts';

export class ResourceEmitter {
  readonly #desk: ResourceDesk;
  readonly #onTeam: (team: TeamView) => void;

  constructor(opts: { io: BeaconServer; desk: ResourceDesk }) {
    this.#desk = opts.desk;
    this.#onTeam = (team) => opts.io.to(STAFF_ROOM).emit('team:updated', team);
    this.#desk.on('team', this.#onTeam);
  }

  close(): void {
    this.#desk.off('team', this.#onTeam);
  }
}
