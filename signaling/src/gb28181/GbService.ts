/**
 * The GB/T 28181 platform of one signaling node (BEACON_GB28181=on): the SIP
 * endpoint and registrar (GbPlatform), a catalog query whenever a device comes
 * online, the channels' presence for the command map (`camera` on the bus),
 * PTZ and live views (one LiveView per watched channel, shared by every
 * viewer, ended when the last viewer closes it or the device drops).
 */
import type { MediaControl } from '@beacon/media-server';
import { BeaconError, type CameraPtzRequest, type CameraView } from '@beacon/protocol';
import type { Actor, CommandBus } from '../command/CommandBus.ts';
import { requireStaff } from '../command/staff.ts';
import { createLogger } from '../logger.ts';
import type { RoomRegistry } from '../rooms/RoomRegistry.ts';
import type { CameraChannelRecord } from '../store/cameraTypes.ts';
import { GbError } from './GbError.ts';
import { GbPlatform, type GbPlatformOptions } from './GbPlatform.ts';
import { cameraRoomId, LiveView } from './LiveView.ts';
import { MeetingCameras } from './MeetingCameras.ts';
import { SipEndpoint } from './SipEndpoint.ts';

const logger = createLogger('gb28181');

export interface GbServiceOptions extends GbPlatformOptions {
  host: string;
  port: number;
  mediaIp: string;
  /** Hang a live view up when no frame came for this long; default 15 s. */
  mediaTimeoutMs?: number;
  /** SIP over TCP on the same port as UDP; default true. */
  tcp?: boolean;
  /** At most one key frame request (IFameCmd) per channel this often; default 2 s. */
  keyFrameIntervalMs?: number;
}

export class GbService {
  readonly platform: GbPlatform;
  /** Cameras that chairs put into their meetings as participants. */
  readonly meetings: MeetingCameras;
  readonly #bus: CommandBus;
  readonly #registry: RoomRegistry;
  readonly #media: MediaControl;
  readonly #opts: GbServiceOptions;
  readonly #views = new Map<string, Promise<LiveView>>();
  #serial = 1;

  constructor(deps: { bus: CommandBus; registry: RoomRegistry; media: MediaControl; options: GbServiceOptions }) {
    this.#bus = deps.bus;
    this.#registry = deps.registry;
    this.#media = deps.media;
    this.#opts = deps.options;
    this.platform = new GbPlatform({
      sip: new SipEndpoint({
        host: deps.options.host,
        port: deps.options.port,
        tcp: deps.options.tcp ?? true,
        // Silent past the point where its keepalives say it is offline: the connection is of no more use.
        tcpIdleMs: deps.options.keepaliveMs * (deps.options.missedKeepalives + 1),
      }),
      repo: deps.bus.store.cameras,
      options: deps.options,
    });
    this.meetings = new MeetingCameras({ bus: deps.bus, registry: deps.registry, cameras: this });
    this.platform.on('status', ({ deviceId, online }) => void this.#statusChanged(deviceId, online));
    this.platform.on('catalog', ({ deviceId }) => void this.#announce(deviceId));
    this.platform.on('bye', ({ callId }) => void this.#deviceHungUp(callId));
  }

  /** The SIP port devices register to. */
  get port(): number {
    return this.platform.sip.port;
  }

  async start(): Promise<void> {
    await this.platform.start();
  }

  async close(): Promise<void> {
    const views = await Promise.allSettled([...this.#views.values()]);
    await Promise.all(views.map((v) => (v.status === 'fulfilled' ? v.value.stop('shutdown') : undefined)));
    this.platform.close();
  }

  /** Every stored channel with live presence (the map layer and the wall's list). */
  async cameras(): Promise<CameraView[]> {
    const { store } = this.#bus;
    const devices = new Map((await store.cameras.listDevices()).map((d) => [d.id, d]));
    return (await store.cameras.listChannels()).map((c) => this.#view(c, devices.get(c.deviceId)?.townshipId ?? null));
  }

  isOnline(deviceId: string): boolean {
    return this.platform.isOnline(deviceId);
  }

  /**
   * Opens (or joins) the channel's live view for a staff member; resolves with its room once the device
   * answered the INVITE. The room is created in the store on first use, members-only with no members: staff only.
   */
  async watch(actor: Actor, channelId: string, transport: 'udp' | 'tcp' = 'udp'): Promise<{ roomId: string }> {
    requireStaff(actor);
    await this.openRoom(actor, channelId);
    return { roomId: (await this.acquire(channelId, transport)).roomId };
  }

  /**
   * The camera's own room in the store (made on first use, members-only with no members: staff only),
   * audited as the actor's `camera.view`; `detail` says more (the meeting it is opened for).
   */
  async openRoom(actor: Actor, channelId: string, detail: Record<string, unknown> = {}): Promise<void> {
    const channel = await this.#channel(channelId);
    const roomId = cameraRoomId(channelId);
    await this.#bus.audited(
      actor,
      async (tx) => {
        if (!(await tx.rooms.get(roomId))) {
          await tx.rooms.create({
            id: roomId,
            title: `监控 ${channel.name}`,
            kind: 'meeting',
            createdBy: actor.userId,
          });
          await tx.roomMembers.restrict(roomId, []);
        }
      },
      () => ({ action: 'camera.view', target: channelId, detail: { roomId, deviceId: channel.deviceId, ...detail } }),
    );
  }

  /**
   * The channel's live view, started (INVITE answered) or the running one reused: for the wall
   * (after its staff check) and for a meeting the camera joins (after the chair check). Refuses an
   * unknown channel (`not_found`) or an offline device (`terminal_offline`) before anything starts.
   */
  async acquire(channelId: string, transport: 'udp' | 'tcp' = 'udp'): Promise<LiveView> {
    const channel = await this.#channel(channelId);
    const existing = this.#views.get(channelId);
    if (existing) return existing;
    const device = await this.#bus.store.cameras.getDevice(channel.deviceId);
    if (!this.platform.isOnline(channel.deviceId)) {
      throw new BeaconError('terminal_offline', `${channel.name} 不在线 / the camera is offline`);
    }
    const view = new LiveView({
      platform: this.platform,
      registry: this.#registry,
      media: this.#media,
      deviceId: channel.deviceId,
      channelId,
      name: channel.name,
      townshipId: device?.townshipId ?? null,
      mediaIp: this.#opts.mediaIp,
      serial: this.#serial++,
      transport,
      ...(this.#opts.mediaTimeoutMs ? { mediaTimeoutMs: this.#opts.mediaTimeoutMs } : {}),
      ...(this.#opts.keyFrameIntervalMs ? { keyFrameIntervalMs: this.#opts.keyFrameIntervalMs } : {}),
      onEnded: (ended) => {
        if (this.#views.get(channelId) === starting) this.#views.delete(channelId);
        void ended;
      },
    });
    const starting = view.start().then(() => view);
    this.#views.set(channelId, starting);
    try {
      return await starting;
    } catch (err) {
      this.#views.delete(channelId);
      await view.stop(err instanceof GbError ? err.code : 'failed');
      logger.warn({ err, channelId }, 'live view not started');
      throw toBeaconError(err);
    }
  }

  /** Ends the view when nothing uses it any more: no wall viewer in its room and no meeting showing it. */
  async release(channelId: string): Promise<void> {
    const view = await this.liveView(channelId);
    if (view && !view.inUse) await this.unwatch(channelId);
  }

  /** Ends the channel's live view (the wall closed its panel). */
  async unwatch(channelId: string): Promise<void> {
    const view = this.#views.get(channelId);
    const live = await view?.catch(() => null);
    // A meeting still shows the camera as a participant: the wall's panel closing does not take it away.
    if (live && live.meetings > 0) return;
    this.#views.delete(channelId);
    await live?.stop('closed');
  }

  /** The live view of a channel, when one runs (tests and the bench read its figures). */
  async liveView(channelId: string): Promise<LiveView | null> {
    return (await this.#views.get(channelId)?.catch(() => null)) ?? null;
  }

  /** Sends a PTZ command to the channel's device; resolves with the PTZCmd hex it sent (audited). */
  async ptz(actor: Actor, channelId: string, request: CameraPtzRequest): Promise<string> {
    requireStaff(actor);
    const channel = await this.#channel(channelId);
    let command: string;
    try {
      command = await this.platform.ptz(channel.deviceId, channelId, request);
    } catch (err) {
      throw toBeaconError(err);
    }
    await this.#bus.audit(actor, 'camera.ptz', channelId, { ...request, command });
    return command;
  }

  /** Asks an online device for its catalog again (the admin's 刷新目录). */
  async refreshCatalog(deviceId: string): Promise<number> {
    try {
      return (await this.platform.queryCatalog(deviceId)).length;
    } catch (err) {
      throw toBeaconError(err);
    }
  }

  async #channel(channelId: string): Promise<CameraChannelRecord> {
    const channel = await this.#bus.store.cameras.getChannel(channelId);
    if (!channel) throw BeaconError.notFound('camera');
    return channel;
  }

  #view(c: CameraChannelRecord, townshipId: string | null): CameraView {
    return {
      channelId: c.channelId,
      deviceId: c.deviceId,
      name: c.name,
      townshipId,
      lat: c.lat,
      lon: c.lon,
      online: this.platform.isOnline(c.deviceId) && c.reportedOnline,
    };
  }

  async #statusChanged(deviceId: string, online: boolean): Promise<void> {
    if (!online) {
      for (const [channelId, view] of this.#views) {
        const live = await view.catch(() => null);
        if (
          live &&
          channelId.length > 0 &&
          (await this.#bus.store.cameras.getChannel(channelId))?.deviceId === deviceId
        ) {
          await live.stop('device_offline', true);
        }
      }
      await this.#announce(deviceId);
      return;
    }
    try {
      await this.platform.queryCatalog(deviceId);
    } catch (err) {
      logger.warn({ err, deviceId }, 'catalog query failed');
      await this.#announce(deviceId);
    }
  }

  async #announce(deviceId: string): Promise<void> {
    const { store } = this.#bus;
    const device = await store.cameras.getDevice(deviceId);
    for (const channel of await store.cameras.listChannels()) {
      if (channel.deviceId === deviceId) this.#bus.emit('camera', this.#view(channel, device?.townshipId ?? null));
    }
  }

  async #deviceHungUp(callId: string): Promise<void> {
    for (const view of this.#views.values()) {
      const live = await view.catch(() => null);
      if (live?.callId === callId) await live.stop('device_bye', true);
    }
  }
}

function toBeaconError(err: unknown): Error {
  if (!(err instanceof GbError)) return err as Error;
  if (err.code === 'device_offline') return new BeaconError('terminal_offline', err.message, { cause: err });
  return new BeaconError('camera_unavailable', `${err.code}: ${err.message}`, { cause: err });
}
