/**
 * `MediaControl` over several media nodes (cascade). Signaling's rooms code
 * drives it exactly like the in-process MediaServer.
 *
 * - A peer is placed on a node at its first media call: the node in the
 *   peer's region (`regionOf`) when one is alive, else any; least loaded
 *   first (MediaNodeRegistry). Its transports, producers and consumers live
 *   there.
 * - A room's router exists on every node hosting one of its peers (and on the
 *   node `ensureRoom` chose before anyone was placed). When a node hosts none
 *   of the room's peers any more, the room is closed there.
 * - Consuming a producer of another node pipes it first (CascadeRoom).
 * - A node declared dead (or restarted): every room it hosted is reported as
 *   `roomsrecreated`, the path a dead mediasoup worker takes, so signaling
 *   drops those rooms' peers and their clients join again, landing on live
 *   nodes.
 *
 * Active speaker: each node sees its own audio producers plus those piped in;
 * changes from any node are forwarded, consecutive duplicates dropped.
 * Recording runs on the room's first host and records what reaches it.
 */
import { TypedEmitter } from '@beacon/common';
import {
  type ConsumerInfo,
  type ConsumerLayers,
  type MediaControl,
  type MediaControlEvents,
  type MediaCounts,
  MediaError,
  type MediaKind,
  type PlainConsumerInput,
  type PlainConsumerResult,
  type PlainProducerInput,
  type PlainProducerResult,
  type ProducerInfo,
  type RecordingResult,
  type StartRecordingOptions,
  type TransportDirection,
  type WebRtcTransportInfo,
  type WebRtcTransportOptions,
} from '@beacon/media-server';
import type { types as ms } from 'mediasoup';
import { createLogger } from '../logger.ts';
import type { ControlTls } from '../tls/mediaNodeCertificates.ts';
import type { CascadeRoom, PipeRefusal } from './CascadeRoom.ts';
import { assertControlUrl } from './controlTls.ts';
import type { MediaNodeRegistry } from './MediaNodeRegistry.ts';
import { wireNodeEvents } from './nodeEvents.ts';
import { type PlacementDeps, placePeer, startCascadeRoom } from './placement.ts';
import { RemoteMediaControl } from './RemoteMediaControl.ts';

const logger = createLogger('CascadedMediaControl');

export interface CascadedMediaControlOptions {
  /** Control URLs of the media nodes. */
  nodeUrls: string[];
  /** The nodes' pre-shared key (MEDIA_NODE_KEY). */
  key: string;
  registry: MediaNodeRegistry;
  /** The region label a peer should be placed in; undefined: anywhere. */
  regionOf?: (roomId: string, peerId: string) => string | undefined;
  /** SRTP on the pipes between nodes. Default false (trusted backbone). */
  enableSrtp?: boolean;
  /** How long `create` waits for the first heartbeat of every node. Default 10000. */
  connectTimeoutMs?: number;
  /** Signaling's client certificate and Beacon's CA, for https:// nodes (controlTls.ts). Default none. */
  tls?: ControlTls | null;
  /** A pipe endpoint a node reported that is not one of its registered addresses (audit). Default: logged only. */
  onPipeRefused?: (refusal: PipeRefusal) => void;
}

export class CascadedMediaControl extends TypedEmitter<MediaControlEvents> implements MediaControl {
  readonly registry: MediaNodeRegistry;
  readonly #clients: RemoteMediaControl[] = [];
  readonly #key: string;
  #tls: ControlTls | null;
  /** Clients by node id (known from their heartbeats). */
  readonly #nodes = new Map<string, RemoteMediaControl>();
  readonly #rooms = new Map<string, CascadeRoom>();
  readonly #pendingRooms = new Map<string, Promise<CascadeRoom>>();
  readonly #lastSpeaker = new Map<string, string | null>();
  readonly #placement: PlacementDeps;
  #closed = false;

  private constructor(options: CascadedMediaControlOptions) {
    super();
    this.registry = options.registry;
    this.#placement = {
      registry: options.registry,
      node: (nodeId) => this.node(nodeId),
      regionOf: options.regionOf,
      enableSrtp: options.enableSrtp ?? false,
      onPipeRefused: options.onPipeRefused,
    };
    this.#key = options.key;
    this.#tls = options.tls ?? null;
    for (const url of options.nodeUrls) this.addNode(url);
    this.registry.on('nodedead', ({ nodeId, reason }) => this.#nodeDied(nodeId, reason));
  }

  /** Connects to every node and resolves once each has sent a heartbeat (or the timeout passed). */
  static async create(options: CascadedMediaControlOptions): Promise<CascadedMediaControl> {
    const cascade = new CascadedMediaControl(options);
    const timeoutMs = options.connectTimeoutMs ?? 10_000;
    await Promise.all(
      cascade.#clients.map(
        (client) =>
          new Promise<void>((resolve) => {
            const timer = setTimeout(() => {
              logger.warn({ url: client.url }, 'media node not answering yet; it joins when it does');
              resolve();
            }, timeoutMs);
            client.once('heartbeat', () => {
              clearTimeout(timer);
              resolve();
            });
          }),
      ),
    );
    return cascade;
  }

  /**
   * Starts driving another media node (discovered at run time, e.g. from
   * Redis; `nodeId`: the id it registered with, which it must prove); a URL
   * already known is ignored. Returns whether it was new. Plain HTTP off
   * loopback throws `media_node_tls_required`.
   */
  addNode(url: string, nodeId?: string): boolean {
    if (this.#closed || this.#clients.some((client) => client.url === url)) return false;
    assertControlUrl(url);
    const client = new RemoteMediaControl({
      url,
      key: this.#key,
      tls: this.#tls,
      ...(nodeId === undefined ? {} : { expectedNodeId: nodeId }),
    });
    this.#clients.push(client);
    client.on('heartbeat', (beat) => {
      this.#nodes.set(beat.nodeId, client);
      void this.registry.heartbeat(beat);
    });
    wireNodeEvents(client, {
      forward: (name, payload) => this.#forward(client, name, payload),
      room: (roomId) => this.#rooms.get(roomId),
      nodeId: () => client.nodeId,
    });
    logger.info({ url }, 'media node added');
    return true;
  }

  /** A renewed client certificate (ControlTlsRenewal): for nodes added from now on and every reconnection. */
  updateTls(tls: ControlTls): void {
    if (!this.#tls) return;
    this.#tls = tls;
    for (const client of this.#clients) client.updateTls(tls);
  }

  get ready(): boolean {
    return !this.#closed && this.#clients.some((client) => client.ready);
  }

  counts(): MediaCounts {
    const total: MediaCounts = {
      workers: 0,
      workersAlive: 0,
      rooms: 0,
      peers: 0,
      transports: 0,
      producers: 0,
      consumers: 0,
    };
    for (const client of this.#clients) {
      const counts = client.counts();
      for (const key of Object.keys(total) as (keyof MediaCounts)[]) total[key] += counts[key];
    }
    total.rooms = this.#rooms.size;
    return total;
  }

  /** The client of a node by id (tests, bench). */
  node(nodeId: string): RemoteMediaControl {
    const client = this.#nodes.get(nodeId);
    if (!client) throw new MediaError('invalid_state', `media node "${nodeId}" is not known`);
    return client;
  }

  /** Where a peer's media lives (tests, diagnostics). */
  nodeOfPeer(roomId: string, peerId: string): string {
    return this.#room(roomId).nodeOfPeer(peerId);
  }

  async ensureRoom(roomId: string): Promise<{ rtpCapabilities: ms.RtpCapabilities }> {
    if (this.#closed) throw new MediaError('invalid_state', 'cascaded media control is closed');
    const room = await (this.#pendingRooms.get(roomId) ?? this.#startRoom(roomId));
    const first = [...room.hosts][0];
    if (!first) throw MediaError.roomNotFound(roomId);
    // Every node runs the same codecs, so any host's router capabilities are the room's.
    return this.node(first).ensureRoom(roomId);
  }

  hasRoom(roomId: string): boolean {
    return this.#rooms.has(roomId);
  }

  closeRoom(roomId: string): void {
    const room = this.#rooms.get(roomId);
    this.#rooms.delete(roomId);
    this.#pendingRooms.delete(roomId);
    this.#lastSpeaker.delete(roomId);
    for (const nodeId of room?.hosts ?? []) this.#nodes.get(nodeId)?.closeRoom(roomId);
  }

  async createWebRtcTransport(
    roomId: string,
    peerId: string,
    direction: TransportDirection,
    options?: WebRtcTransportOptions,
  ): Promise<WebRtcTransportInfo> {
    const nodeId = await this.#place(roomId, peerId);
    return this.node(nodeId).createWebRtcTransport(roomId, peerId, direction, options);
  }

  connectTransport(roomId: string, peerId: string, transportId: string, dtlsParameters: ms.DtlsParameters) {
    return this.#peerNode(roomId, peerId).connectTransport(roomId, peerId, transportId, dtlsParameters);
  }

  async produce(
    roomId: string,
    peerId: string,
    input: { transportId: string; kind: MediaKind; rtpParameters: ms.RtpParameters; appData: Record<string, unknown> },
  ): Promise<ProducerInfo> {
    const room = this.#room(roomId);
    const nodeId = room.nodeOfPeer(peerId);
    const info = await this.node(nodeId).produce(roomId, peerId, input);
    room.producers.set(info.id, { nodeId, peerId });
    return info;
  }

  pauseProducer(roomId: string, peerId: string, producerId: string): Promise<void> {
    return this.#peerNode(roomId, peerId).pauseProducer(roomId, peerId, producerId);
  }

  resumeProducer(roomId: string, peerId: string, producerId: string): Promise<void> {
    return this.#peerNode(roomId, peerId).resumeProducer(roomId, peerId, producerId);
  }

  closeProducer(roomId: string, peerId: string, producerId: string): void {
    this.#peerNode(roomId, peerId).closeProducer(roomId, peerId, producerId);
    this.#room(roomId).producers.delete(producerId);
  }

  listProducers(roomId: string): ProducerInfo[] {
    const room = this.#room(roomId);
    return [...room.hosts].flatMap((nodeId) => this.#nodes.get(nodeId)?.listProducers(roomId) ?? []);
  }

  async consume(
    roomId: string,
    peerId: string,
    input: { transportId: string; producerId: string; rtpCapabilities: ms.RtpCapabilities },
  ): Promise<ConsumerInfo | null> {
    const room = this.#room(roomId);
    const nodeId = room.nodeOfPeer(peerId);
    const pipe = await room.acquire(input.producerId, nodeId);
    let info: ConsumerInfo | null = null;
    try {
      info = await this.node(nodeId).consume(roomId, peerId, input);
    } finally {
      if (info) room.holdFor(info.id, pipe, peerId);
      else room.release(pipe);
    }
    return info;
  }

  resumeConsumer(roomId: string, peerId: string, consumerId: string): Promise<void> {
    return this.#peerNode(roomId, peerId).resumeConsumer(roomId, peerId, consumerId);
  }

  pauseConsumer(roomId: string, peerId: string, consumerId: string): Promise<void> {
    return this.#peerNode(roomId, peerId).pauseConsumer(roomId, peerId, consumerId);
  }

  setConsumerLayers(roomId: string, peerId: string, consumerId: string, layers: ConsumerLayers): Promise<void> {
    return this.#peerNode(roomId, peerId).setConsumerLayers(roomId, peerId, consumerId, layers);
  }

  restartIce(roomId: string, peerId: string, transportId: string): Promise<ms.IceParameters> {
    return this.#peerNode(roomId, peerId).restartIce(roomId, peerId, transportId);
  }

  startRecording(roomId: string, opts: StartRecordingOptions): Promise<{ filePath: string }> {
    return this.#firstHost(roomId).startRecording(roomId, opts);
  }

  stopRecording(roomId: string): Promise<RecordingResult> {
    return this.#firstHost(roomId).stopRecording(roomId);
  }

  setRecordingFocus(roomId: string, peerId: string | null): void {
    this.#firstHost(roomId).setRecordingFocus(roomId, peerId);
  }

  closePeer(roomId: string, peerId: string): void {
    const room = this.#rooms.get(roomId);
    if (!room) return;
    const nodeId = room.removePeer(peerId);
    if (!nodeId) return;
    this.#nodes.get(nodeId)?.closePeer(roomId, peerId);
    room.peerConsumersGone(peerId);
    // A node that hosts none of the room's peers any more keeps no router for it (unless it is the last host).
    if (room.peersOn(nodeId) === 0 && room.hosts.size > 1) this.#leaveNode(room, nodeId);
  }

  async createPlainProducer(roomId: string, peerId: string, input: PlainProducerInput): Promise<PlainProducerResult> {
    const nodeId = await this.#place(roomId, peerId);
    const result = await this.node(nodeId).createPlainProducer(roomId, peerId, input);
    this.#room(roomId).producers.set(result.producerId, { nodeId, peerId });
    return result;
  }

  async createPlainConsumer(
    roomId: string,
    peerId: string,
    producerId: string,
    input: PlainConsumerInput,
  ): Promise<PlainConsumerResult> {
    const nodeId = await this.#place(roomId, peerId);
    const room = this.#room(roomId);
    const pipe = await room.acquire(producerId, nodeId);
    let result: PlainConsumerResult | undefined;
    try {
      result = await this.node(nodeId).createPlainConsumer(roomId, peerId, producerId, input);
    } finally {
      if (result) room.holdFor(result.consumerId, pipe, peerId);
      else room.release(pipe);
    }
    return result;
  }

  async close(): Promise<void> {
    if (this.#closed) return;
    this.#closed = true;
    this.registry.close();
    await Promise.all(this.#clients.map((client) => client.close()));
    this.removeAllListeners();
  }

  #forward<K extends keyof MediaControlEvents>(client: RemoteMediaControl, name: K, payload: MediaControlEvents[K][0]) {
    if (name === 'activespeaker') {
      const { roomId, peerId } = payload as MediaControlEvents['activespeaker'][0];
      if (this.#lastSpeaker.get(roomId) === peerId) return;
      this.#lastSpeaker.set(roomId, peerId);
    }
    if (name === 'roomsrecreated') logger.warn({ url: client.url, payload }, 'media node re-created rooms');
    (this.safeEmit as (event: K, value: MediaControlEvents[K][0]) => void)(name, payload);
  }

  #startRoom(roomId: string): Promise<CascadeRoom> {
    const pending: Promise<CascadeRoom> = startCascadeRoom(
      roomId,
      this.#placement,
      (): boolean => this.#pendingRooms.get(roomId) === pending,
    ).then((room) => {
      this.#rooms.set(roomId, room);
      return room;
    });
    this.#pendingRooms.set(roomId, pending);
    pending.catch(() => {
      if (this.#pendingRooms.get(roomId) === pending) this.#pendingRooms.delete(roomId);
    });
    return pending;
  }

  #place(roomId: string, peerId: string): Promise<string> {
    return placePeer(this.#room(roomId), peerId, this.#placement);
  }

  #leaveNode(room: CascadeRoom, nodeId: string): void {
    room.dropNode(nodeId);
    this.#nodes.get(nodeId)?.closeRoom(room.id);
    for (const other of room.hosts) {
      this.#nodes
        .get(other)
        ?.call('closePipe', { roomId: room.id, remoteNodeId: nodeId })
        .catch((err: unknown) => logger.warn({ roomId: room.id, err }, 'closePipe failed'));
    }
    logger.info({ roomId: room.id, nodeId }, 'room left a media node');
  }

  #nodeDied(nodeId: string, reason: string): void {
    if (this.#closed) return;
    const roomIds: string[] = [];
    for (const room of this.#rooms.values()) {
      if (!room.hosts.has(nodeId)) continue;
      room.dropNode(nodeId);
      roomIds.push(room.id);
    }
    if (roomIds.length === 0) return;
    logger.warn({ nodeId, reason, rooms: roomIds.length }, 'media node lost; asking its rooms to re-join');
    this.safeEmit('roomsrecreated', { roomIds, reason: `media node ${nodeId}: ${reason}` });
  }

  #room(roomId: string): CascadeRoom {
    const room = this.#rooms.get(roomId);
    if (!room) throw MediaError.roomNotFound(roomId);
    return room;
  }

  #peerNode(roomId: string, peerId: string): RemoteMediaControl {
    return this.node(this.#room(roomId).nodeOfPeer(peerId));
  }

  #firstHost(roomId: string): RemoteMediaControl {
    const first = [...this.#room(roomId).hosts][0];
    if (!first) throw MediaError.roomNotFound(roomId);
    return this.node(first);
  }
}
