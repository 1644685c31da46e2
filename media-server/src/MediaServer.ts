import { TypedEmitter } from '@beacon/common';
import type { types as ms } from 'mediasoup';
import { LinkMemory } from './LinkMemory.ts';
import { createLogger } from './logger.ts';
import type {
  ConsumerInfo,
  ConsumerLayers,
  MediaControl,
  MediaControlEvents,
  MediaCounts,
  MediaKind,
  PlainConsumerInput,
  PlainConsumerResult,
  PlainProducerInput,
  PlainProducerResult,
  ProducerInfo,
  RecordingResult,
  StartRecordingOptions,
  TransportDirection,
  WebRtcTransportInfo,
  WebRtcTransportOptions,
} from './MediaControlTypes.ts';
import { MediaError } from './MediaError.ts';
import {
  type MediaServerOptions,
  type MediaServerOptionsInput,
  parseMediaServerOptions,
} from './MediaServerOptions.ts';
import { createPlainConsumer, createPlainProducer } from './plainRtp.ts';
import { PlainTargets } from './plainTargets.ts';
import { Recordings } from './Recordings.ts';
import { Room, type RoomEvents } from './Room.ts';
import { WorkerPool } from './WorkerPool.ts';

const logger = createLogger('MediaServer');

/** Room events signaling hears as they are. */
const FORWARDED_ROOM_EVENTS = [
  'consumerclosed',
  'consumerpaused',
  'consumerresumed',
  'consumerlayers',
  'activespeaker',
  'keyframerequest',
] as const satisfies readonly (keyof RoomEvents & keyof MediaControlEvents)[];

/**
 * The in-process media node: a worker pool and one Room (router) per
 * conference, driven by signaling through `MediaControl`.
 */
export class MediaServer extends TypedEmitter<MediaControlEvents> implements MediaControl {
  readonly options: MediaServerOptions;
  readonly #pool: WorkerPool;
  /** Creation in flight or done, per room id: concurrent first calls share one creation. */
  readonly #pending = new Map<string, Promise<Room>>();
  /** Rooms whose creation finished, for synchronous lookups. */
  readonly #rooms = new Map<string, Room>();
  readonly #recordings: Recordings;
  readonly #plainTargets: PlainTargets;
  /** Each receive link's last budget, for every room of this process: a township's next meeting starts from it. */
  readonly linkMemory = new LinkMemory();
  #closed = false;

  private constructor(options: MediaServerOptions, pool: WorkerPool) {
    super();
    this.options = options;
    this.#pool = pool;
    this.#recordings = new Recordings(options);
    this.#plainTargets = new PlainTargets(options.plainTargets, options.plainTargetPorts ?? null);
    this.#recordings.on('recordingfailed', (event) => this.safeEmit('recordingfailed', event));
    pool.on('workerdied', ({ index, pid }) => this.#moveRoomsOff(index, pid));
  }

  static async create(input: MediaServerOptionsInput = {}): Promise<MediaServer> {
    const options = parseMediaServerOptions(input, logger);
    const pool = await WorkerPool.create(options);
    logger.info({ workers: options.numWorkers, announcedAddress: options.announcedAddress }, 'media server ready');
    return new MediaServer(options, pool);
  }

  get ready(): boolean {
    return !this.#closed && this.#pool.liveCount > 0;
  }

  counts(): MediaCounts {
    const counts: MediaCounts = {
      workers: this.#pool.size,
      workersAlive: this.#pool.liveCount,
      rooms: this.#rooms.size,
      peers: 0,
      transports: 0,
      producers: 0,
      consumers: 0,
    };
    for (const room of this.#rooms.values()) {
      const roomCounts = room.counts();
      counts.peers += roomCounts.peers;
      counts.transports += roomCounts.transports;
      counts.producers += roomCounts.producers;
      counts.consumers += roomCounts.consumers;
    }
    return counts;
  }

  /** Pids of the live workers, index order (bench CPU sampling, tests). */
  workerPids(): number[] {
    return this.#pool.liveSlots().map((slot) => slot.worker.pid);
  }

  async ensureRoom(roomId: string): Promise<{ rtpCapabilities: ms.RtpCapabilities }> {
    if (this.#closed) throw new MediaError('invalid_state', 'media server is closed');
    const room = await (this.#pending.get(roomId) ?? this.#startRoom(roomId));
    return { rtpCapabilities: room.rtpCapabilities };
  }

  hasRoom(roomId: string): boolean {
    return this.#rooms.has(roomId);
  }

  closeRoom(roomId: string): void {
    const pending = this.#pending.get(roomId);
    this.#pending.delete(roomId);
    // Before the router goes: the recorder stops its ffmpeg, which writes the file from what it has.
    this.#recordings.finish(roomId);
    this.#rooms.get(roomId)?.close();
    this.#rooms.delete(roomId);
    // A creation still in flight notices it was dropped and closes its router itself.
    void pending?.catch(() => undefined);
  }

  async createWebRtcTransport(
    roomId: string,
    peerId: string,
    direction: TransportDirection,
    options?: WebRtcTransportOptions,
  ): Promise<WebRtcTransportInfo> {
    return this.#room(roomId).createWebRtcTransport(peerId, direction, options);
  }

  async connectTransport(
    roomId: string,
    peerId: string,
    transportId: string,
    dtlsParameters: ms.DtlsParameters,
  ): Promise<void> {
    return this.#room(roomId).connectTransport(peerId, transportId, dtlsParameters);
  }

  async produce(
    roomId: string,
    peerId: string,
    input: { transportId: string; kind: MediaKind; rtpParameters: ms.RtpParameters; appData: Record<string, unknown> },
  ): Promise<ProducerInfo> {
    return this.#room(roomId).produce(peerId, input);
  }

  async pauseProducer(roomId: string, peerId: string, producerId: string): Promise<void> {
    return this.#room(roomId).pauseProducer(peerId, producerId);
  }

  async resumeProducer(roomId: string, peerId: string, producerId: string): Promise<void> {
    return this.#room(roomId).resumeProducer(peerId, producerId);
  }

  closeProducer(roomId: string, peerId: string, producerId: string): void {
    this.#room(roomId).closeProducer(peerId, producerId);
  }

  listProducers(roomId: string): ProducerInfo[] {
    return this.#room(roomId).listProducers();
  }

  async consume(
    roomId: string,
    peerId: string,
    input: { transportId: string; producerId: string; rtpCapabilities: ms.RtpCapabilities },
  ): Promise<ConsumerInfo | null> {
    return this.#room(roomId).consume(peerId, input);
  }

  async resumeConsumer(roomId: string, peerId: string, consumerId: string): Promise<void> {
    return this.#room(roomId).resumeConsumer(peerId, consumerId);
  }

  async pauseConsumer(roomId: string, peerId: string, consumerId: string): Promise<void> {
    return this.#room(roomId).pauseConsumer(peerId, consumerId);
  }

  async setConsumerLayers(roomId: string, peerId: string, consumerId: string, layers: ConsumerLayers): Promise<void> {
    return this.#room(roomId).setConsumerLayers(peerId, consumerId, layers);
  }

  async restartIce(roomId: string, peerId: string, transportId: string): Promise<ms.IceParameters> {
    return this.#room(roomId).restartIce(peerId, transportId);
  }

  async startRecording(roomId: string, opts: StartRecordingOptions): Promise<{ filePath: string }> {
    return this.#recordings.start(this.#room(roomId), opts);
  }

  async stopRecording(roomId: string): Promise<RecordingResult> {
    return this.#recordings.stop(roomId);
  }

  setRecordingFocus(roomId: string, peerId: string | null): void {
    this.#recordings.setFocus(roomId, peerId);
  }

  closePeer(roomId: string, peerId: string): void {
    this.#rooms.get(roomId)?.closePeer(peerId);
  }

  /** RTP into the room from a plain UDP sender (ffmpeg, SIP gateway). */
  async createPlainProducer(roomId: string, peerId: string, input: PlainProducerInput): Promise<PlainProducerResult> {
    // The remote gets the transport's RTCP: it must be a gateway address like a tap's.
    if (input.remote) {
      this.#plainTargets.assert(input.remote.ip, input.remote.port, { roomId, peerId, what: 'plain producer remote' });
    }
    return createPlainProducer(this.#room(roomId), peerId, input, this.options);
  }

  /** RTP out of the room to a plain UDP receiver (recorder, SIP gateway). */
  async createPlainConsumer(
    roomId: string,
    peerId: string,
    producerId: string,
    input: PlainConsumerInput,
  ): Promise<PlainConsumerResult> {
    this.#plainTargets.assert(input.remoteIp, input.remotePort, { roomId, peerId, producerId, what: 'plain consumer' });
    return createPlainConsumer(this.#room(roomId), peerId, producerId, input, this.options);
  }

  /** Raw mediasoup stats of one consumer. Sample many consumers in batches of at most 100 (DESIGN §5). */
  async getConsumerStats(roomId: string, peerId: string, consumerId: string): Promise<ms.ConsumerStat[]> {
    const stats = await this.#room(roomId).consumer(peerId, consumerId).getStats();
    return stats.filter((stat): stat is ms.ConsumerStat => stat.type === 'outbound-rtp');
  }

  /** Raw mediasoup stats of one WebRTC transport (tests, diagnostics). */
  async getTransportStats(roomId: string, peerId: string, transportId: string): Promise<ms.WebRtcTransportStat[]> {
    return this.#room(roomId).webRtcTransport(peerId, transportId).getStats();
  }

  /**
   * The room's node-local object, for extensions that live on the media node
   * itself (cascade pipes). Signaling never calls this; it uses MediaControl.
   */
  localRoom(roomId: string): Room {
    return this.#room(roomId);
  }

  async close(): Promise<void> {
    if (this.#closed) return;
    this.#closed = true;
    await this.#recordings.closeAll();
    for (const room of this.#rooms.values()) room.close();
    this.#rooms.clear();
    this.#pending.clear();
    this.removeAllListeners();
    await this.#pool.close();
    logger.info('media server closed');
  }

  #room(roomId: string): Room {
    const room = this.#rooms.get(roomId);
    if (!room) throw MediaError.roomNotFound(roomId);
    return room;
  }

  #startRoom(roomId: string): Promise<Room> {
    const pending: Promise<Room> = this.#pool
      .pick()
      .then((slot) => Room.create(roomId, slot, this.linkMemory))
      .then((room) => {
        // Closed (or superseded by a re-creation) while the worker was busy: drop this router.
        if (this.#closed || this.#pending.get(roomId) !== pending) {
          room.close();
          throw MediaError.roomNotFound(roomId);
        }
        this.#rooms.set(roomId, room);
        for (const event of FORWARDED_ROOM_EVENTS) {
          room.on(event, (...args) => this.safeEmit(event, ...(args as MediaControlEvents[typeof event])));
        }
        return room;
      })
      .catch((error: unknown) => {
        // Let the next ensureRoom try again rather than replay this failure forever.
        if (this.#pending.get(roomId) === pending) this.#pending.delete(roomId);
        throw error;
      });
    this.#pending.set(roomId, pending);
    return pending;
  }

  /** The worker under these rooms died: give each an empty router on a live worker. */
  #moveRoomsOff(workerIndex: number, pid: number): void {
    if (this.#closed) return;
    const lost = [...this.#rooms.values()].filter((room) => room.workerIndex === workerIndex);
    if (lost.length === 0) return;
    const reason = `mediasoup worker ${workerIndex} (pid ${pid}) died`;
    for (const room of lost) {
      this.#recordings.finish(room.id, reason);
      room.close();
      this.#rooms.delete(room.id);
    }
    void Promise.allSettled(lost.map((room) => this.#startRoom(room.id))).then((results) => {
      const roomIds: string[] = [];
      results.forEach((result, i) => {
        const roomId = lost[i]?.id ?? '';
        if (result.status === 'fulfilled') roomIds.push(roomId);
        // room_not_found: closed on request meanwhile, which is not a failure.
        else if (!(result.reason instanceof MediaError && result.reason.code === 'room_not_found')) {
          logger.error({ roomId, err: result.reason }, 'room not re-created after worker death');
        }
      });
      logger.warn({ rooms: roomIds.length, workerIndex, pid }, 'rooms re-created after worker death');
      if (roomIds.length > 0 && !this.#closed) this.safeEmit('roomsrecreated', { roomIds, reason });
    });
  }
}
