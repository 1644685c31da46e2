/**
 * Video pull (监控调阅): the duty desk asks a township terminal to send its
 * camera into the township's own pull room `pull-<townshipId>`, which the
 * desk then joins as audience. The room is created in the store on first use.
 */
import { BeaconError } from '@beacon/protocol';
import type { Actor, CommandBus } from './CommandBus.ts';
import type { Presence } from './Presence.ts';
import { requireStaff } from './staff.ts';

export const pullRoomId = (townshipId: string): string => `pull-${townshipId}`;

export class VideoPull {
  readonly #bus: CommandBus;
  readonly #presence: Presence;

  constructor(opts: { bus: CommandBus; presence: Presence }) {
    this.#bus = opts.bus;
    this.#presence = opts.presence;
  }

  async start(actor: Actor, townshipId: string): Promise<{ roomId: string }> {
    requireStaff(actor);
    const { store } = this.#bus;
    const township = await store.townships.get(townshipId);
    if (!township) throw BeaconError.notFound('township');
    if (!this.#presence.isOnline(townshipId)) {
      throw new BeaconError('terminal_offline', `${township.name} 的视频终端不在线 / the terminal is offline`);
    }
    const roomId = pullRoomId(townshipId);
    await this.#bus.audited(
      actor,
      async (tx) => {
        if (!(await tx.rooms.get(roomId))) {
          await tx.rooms.create({
            id: roomId,
            title: `监控调阅 ${township.name}`,
            kind: 'meeting',
            createdBy: actor.userId,
          });
        }
        // Staff and this township's terminal only: another township must not watch its camera.
        await tx.roomMembers.restrict(roomId, [{ kind: 'township', id: townshipId }]);
      },
      () => ({ action: 'pull.start', target: townshipId, detail: { roomId } }),
    );
    this.#bus.emit('pull', { townshipId, roomId });
    return { roomId };
  }

  async stop(actor: Actor, townshipId: string): Promise<void> {
    requireStaff(actor);
    if (!(await this.#bus.store.townships.get(townshipId))) throw BeaconError.notFound('township');
    this.#bus.emit('pull', { townshipId, roomId: null });
    await this.#bus.audit(actor, 'pull.stop', townshipId, { roomId: pullRoomId(townshipId) });
  }
}
