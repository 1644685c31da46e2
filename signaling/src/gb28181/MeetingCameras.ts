/**
 * A camera channel as a participant of an ordinary meeting (会议中添加监控画面): the room's chair (or a
 * co-chair) adds an online channel; its live view is started or reused (GbService.acquire) and the same
 * H.264 goes to a producer of the meeting room (LiveView.addMeeting), so everyone gets a tile named
 * after the camera (PeerInfo `device: 'camera'`, video only). The chair's 移除 takes it out and ends the
 * live view when neither a wall panel nor another meeting still uses it. A camera that drops (device
 * offline, BYE, no media) leaves the meeting by itself; so does one left alone with nobody watching.
 *
 * Added / removed are audited (`meeting.camera_added`, `meeting.camera_removed`) with the chair as the
 * actor; a removal nobody asked for (camera dropped, meeting over) is audited as the system's.
 * Bad input changes nothing: a caller who does not chair the running room gets `forbidden`, a room not
 * running `room_not_found`, an unknown channel `not_found`, an offline one `terminal_offline`.
 */
import { randomUUID } from 'node:crypto';
import { BeaconError, type CameraView, type MeetingRole } from '@beacon/protocol';
import type { Actor, CommandBus } from '../command/CommandBus.ts';
import { createLogger } from '../logger.ts';
import type { ConferenceRoom } from '../rooms/ConferenceRoom.ts';
import { Participant } from '../rooms/Participant.ts';
import type { RoomRegistry } from '../rooms/RoomRegistry.ts';
import type { GbService } from './GbService.ts';

const logger = createLogger('gb28181');
const MODERATORS: readonly MeetingRole[] = ['chair', 'cochair'];

/** A camera shown in a meeting, as the chair's picker lists it. */
export interface MeetingCamera {
  channelId: string;
  peerId: string;
  name: string;
}

export class MeetingCameras {
  readonly #bus: CommandBus;
  readonly #registry: RoomRegistry;
  readonly #cameras: GbService;
  /** roomId → channelId → the camera's peer there. */
  readonly #added = new Map<string, Map<string, MeetingCamera>>();
  /** Removals a chair asked for (audited by remove(), not again by the peer-left listener). */
  readonly #removing = new Set<string>();
  readonly #adding = new Map<string, Promise<MeetingCamera>>();

  constructor(deps: { bus: CommandBus; registry: RoomRegistry; cameras: GbService }) {
    this.#bus = deps.bus;
    this.#registry = deps.registry;
    this.#cameras = deps.cameras;
  }

  /** The picker: online channels not yet in the room, and the cameras the room shows. */
  async list(actor: Actor, roomId: string): Promise<{ available: CameraView[]; added: MeetingCamera[] }> {
    this.#chairedRoom(actor, roomId);
    const added = [...(this.#added.get(roomId)?.values() ?? [])];
    const shown = new Set(added.map((c) => c.channelId));
    const available = (await this.#cameras.cameras()).filter((c) => c.online && !shown.has(c.channelId));
    return { available, added };
  }

  /** Adds the channel to the chair's running meeting; adding one already there (or on its way) returns it unchanged. */
  async add(actor: Actor, roomId: string, channelId: string): Promise<MeetingCamera> {
    const room = this.#chairedRoom(actor, roomId);
    const existing = this.#added.get(roomId)?.get(channelId);
    if (existing) return existing;
    // Two quick clicks: one participant, not two.
    const key = `${roomId}\n${channelId}`;
    const pending = this.#adding.get(key);
    if (pending) return pending;
    const adding = this.#add(actor, room, channelId).finally(() => this.#adding.delete(key));
    this.#adding.set(key, adding);
    return adding;
  }

  async #add(actor: Actor, room: ConferenceRoom, channelId: string): Promise<MeetingCamera> {
    const roomId = room.id;
    const channel = await this.#bus.store.cameras.getChannel(channelId);
    if (!channel) throw BeaconError.notFound('camera');
    if (!channel.reportedOnline || !this.#cameras.isOnline(channel.deviceId)) {
      throw new BeaconError('terminal_offline', `${channel.name} 不在线 / the camera is offline`);
    }
    await this.#cameras.openRoom(actor, channelId, { meetingRoomId: roomId });
    const view = await this.#cameras.acquire(channelId);
    const participant = new Participant({
      peerId: `cam:${channelId}:${randomUUID().slice(0, 8)}`,
      roomId,
      socketId: `gb28181:${channelId}:${roomId}`,
      device: 'camera',
      claims: {
        userId: `gb28181:${channelId}`,
        username: channelId,
        displayName: channel.name,
        role: 'service',
        townshipId: null,
      },
    });
    try {
      await view.addMeeting(roomId, participant);
    } catch (err) {
      await this.#cameras.release(channelId);
      throw err;
    }
    const camera: MeetingCamera = { channelId, peerId: participant.peerId, name: channel.name };
    this.#remember(room, camera);
    await this.#bus.audit(actor, 'meeting.camera_added', roomId, {
      channelId,
      name: channel.name,
      peerId: camera.peerId,
    });
    logger.info({ roomId, channelId }, 'camera added to the meeting');
    return camera;
  }

  /** The chair's 移除: the camera's tile goes; its live view ends unless something else still uses it. */
  async remove(actor: Actor, roomId: string, channelId: string): Promise<void> {
    this.#chairedRoom(actor, roomId);
    const camera = this.#added.get(roomId)?.get(channelId);
    if (!camera) throw BeaconError.notFound('camera in this meeting');
    this.#removing.add(camera.peerId);
    try {
      await this.#takeOut(roomId, camera);
    } finally {
      this.#removing.delete(camera.peerId);
    }
    await this.#bus.audit(actor, 'meeting.camera_removed', roomId, {
      channelId,
      name: camera.name,
      peerId: camera.peerId,
    });
  }

  /** The channel of a camera peer in a room, when the peer is one (the chair's generic 移除 routes here). */
  channelOf(roomId: string, peerId: string): string | null {
    for (const camera of this.#added.get(roomId)?.values() ?? []) if (camera.peerId === peerId) return camera.channelId;
    return null;
  }

  #remember(room: ConferenceRoom, camera: MeetingCamera): void {
    let cameras = this.#added.get(room.id);
    if (!cameras) {
      cameras = new Map();
      this.#added.set(room.id, cameras);
    }
    cameras.set(camera.channelId, camera);
    const onLeft = ({ peerId }: { peerId: string }): void => {
      if (peerId === camera.peerId) {
        room.off('peerleft', onLeft);
        void this.#left(room.id, camera);
        return;
      }
      // Nobody but cameras left: the meeting is over for them too (the room then closes as empty).
      const humans = room.participants().some((p) => p.device !== 'camera');
      if (!humans) void this.#takeOut(room.id, camera);
    };
    room.on('peerleft', onLeft);
  }

  /** The camera's peer left the room, by the chair's removal or otherwise (camera dropped, meeting ended). */
  async #left(roomId: string, camera: MeetingCamera): Promise<void> {
    const cameras = this.#added.get(roomId);
    if (cameras?.get(camera.channelId) !== camera) return;
    cameras.delete(camera.channelId);
    if (cameras.size === 0) this.#added.delete(roomId);
    const askedByChair = this.#removing.has(camera.peerId);
    (await this.#cameras.liveView(camera.channelId))?.removeMeeting(roomId);
    await this.#cameras.release(camera.channelId);
    if (askedByChair) return;
    await this.#bus.store.audit
      .append({
        actorId: 'system',
        role: 'service',
        action: 'meeting.camera_removed',
        target: roomId,
        detail: { channelId: camera.channelId, name: camera.name, peerId: camera.peerId, reason: 'left' },
      })
      .catch((err: unknown) => logger.error({ err, roomId }, 'camera removal audit entry not written'));
  }

  async #takeOut(roomId: string, camera: MeetingCamera): Promise<void> {
    const view = await this.#cameras.liveView(camera.channelId);
    if (view) view.removeMeeting(roomId);
    else this.#registry.get(roomId)?.remove(camera.peerId);
    // The peer-left listener has forgotten it by now; wait here for the live view's end as well.
    await this.#left(roomId, camera);
    await this.#cameras.release(camera.channelId);
  }

  /** The running room, when the actor is its chair or a co-chair there. */
  #chairedRoom(actor: Actor, roomId: string): ConferenceRoom {
    const room = this.#registry.get(roomId);
    if (!room || room.closed) throw new BeaconError('room_not_found', `会议未在进行 / room "${roomId}" is not running`);
    const chairs = room
      .participants()
      .some((p) => p.claims.userId === actor.userId && MODERATORS.includes(p.meetingRole));
    if (!chairs) throw BeaconError.forbidden('只有主持人可以添加监控画面 / only the chair adds a camera');
    return room;
  }
}
