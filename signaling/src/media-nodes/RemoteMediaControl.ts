/**
 * `MediaControl` over the network: a socket.io client of one media node's
 * control server (media-server/src/node). Reconnects on its own; calls made
 * while disconnected fail at once with `invalid_state` rather than queue,
 * because a stale `produce` replayed minutes later would do harm.
 *
 * MediaControl has a few synchronous members (`ready`, `counts`, `hasRoom`,
 * `listProducers`); they answer from what this client knows: the last
 * heartbeat, the rooms it ensured, the producers it created.
 *
 * An https:// node is reached over mutual TLS: the node's certificate must
 * chain to Beacon's CA, cover the URL's host, and name a node id; the node's
 * heartbeats must then carry that same id (and the id its Redis entry gave,
 * when it was discovered). A node failing either is cut off and logged.
 */
import { randomUUID } from 'node:crypto';
import { TypedEmitter } from '@beacon/common';
import {
  type ConsumerInfo,
  type ConsumerLayers,
  type ControlAck,
  type ControlMethod,
  type ControlParams,
  type ControlResults,
  type MediaControl,
  type MediaControlEvents,
  type MediaCounts,
  MediaError,
  type MediaErrorCode,
  type MediaKind,
  type NodeEventMessage,
  type NodeHeartbeat,
  nodeHeartbeatSchema,
  type PipeHubEvents,
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
import { io, type Socket } from 'socket.io-client';
import { createLogger } from '../logger.ts';
import type { ControlTls } from '../tls/mediaNodeCertificates.ts';
import { NodeIdentity } from './NodeIdentity.ts';
import { registeredAddresses } from './nodeAddresses.ts';

const logger = createLogger('RemoteMediaControl');

export type RemoteMediaControlEvents = MediaControlEvents &
  PipeHubEvents & {
    /** Every heartbeat of the node (validated). */
    heartbeat: [NodeHeartbeat];
    /** A connection attempt failed (unreachable, TLS refused either way, wrong key); it retries by itself. */
    connecterror: [Error];
  };

export interface RemoteMediaControlOptions {
  /** The node's control URL, e.g. https://10.0.0.2:4480 (http:// only on loopback: controlTls.ts). */
  url: string;
  /** The node's pre-shared key (MEDIA_NODE_KEY). */
  key: string;
  /** A call without an answer fails after this long. Default 10000. */
  callTimeoutMs?: number;
  /** Signaling's client certificate and Beacon's CA, for an https:// URL (mutual TLS). */
  tls?: ControlTls | null;
  /** The node id the node must prove (its Redis entry's); default: whatever id its certificate names. */
  expectedNodeId?: string;
}

export class RemoteMediaControl extends TypedEmitter<RemoteMediaControlEvents> implements MediaControl {
  readonly url: string;
  readonly #socket: Socket;
  readonly #callTimeoutMs: number;
  readonly #clientId = randomUUID();
  #heartbeat: NodeHeartbeat | undefined;
  readonly #rooms = new Set<string>();
  /** Producers created through this client, by room then producer id. */
  readonly #producers = new Map<string, Map<string, ProducerInfo>>();
  /** Fire-and-forget calls still in flight; close() lets them land first. */
  readonly #inflight = new Set<Promise<unknown>>();
  #closed = false;
  readonly #identity: NodeIdentity;

  constructor(opts: RemoteMediaControlOptions) {
    super();
    this.url = opts.url;
    this.#callTimeoutMs = opts.callTimeoutMs ?? 10_000;
    this.#identity = new NodeIdentity(opts.url, opts.tls ?? null, opts.expectedNodeId);
    this.#socket = io(opts.url, {
      // A stable client id across reconnects: the node keeps this client's peers through a blip.
      auth: { key: opts.key, client: this.#clientId },
      transports: ['websocket'],
      reconnectionDelay: 500,
      reconnectionDelayMax: 2_000,
      ...this.#identity.socketOptions(),
    });
    this.#socket.on('heartbeat', (raw: unknown) => {
      const parsed = nodeHeartbeatSchema.safeParse(raw);
      if (!parsed.success) {
        logger.warn({ url: this.url, issues: parsed.error.issues }, 'malformed heartbeat ignored');
        return;
      }
      const impostor = this.#identity.refusal(parsed.data.nodeId);
      if (impostor) {
        logger.error({ url: this.url, nodeId: parsed.data.nodeId, reason: impostor }, 'media node refused');
        this.#socket.disconnect();
        return;
      }
      this.#heartbeat = parsed.data;
      this.safeEmit('heartbeat', parsed.data);
    });
    this.#socket.on('event', (message: NodeEventMessage) => this.#onNodeEvent(message));
    this.#socket.on('connect', () => logger.info({ url: this.url }, 'media node connected'));
    this.#socket.on('disconnect', (reason) => logger.warn({ url: this.url, reason }, 'media node disconnected'));
    this.#socket.on('connect_error', (err) => {
      logger.debug({ url: this.url, err }, 'media node connect failed');
      this.safeEmit('connecterror', err);
    });
  }

  /**
   * A renewed client certificate: every later (re)connection presents it. The open connection keeps its TLS
   * session (the node checked the certificate at its handshake), so nothing is dropped.
   */
  updateTls(tls: ControlTls): void {
    this.#identity.updateTls(tls);
    const options = this.#identity.socketOptions();
    if (Object.keys(options).length > 0) Object.assign(this.#socket.io.opts, options);
  }

  /**
   * The addresses this node is registered under (its URL's host, its certificate's addresses): the only
   * endpoints a cascade pipe to it may have (nodeAddresses.ts).
   */
  registeredAddresses(): Promise<string[]> {
    return registeredAddresses(this.url, this.#identity.certificateAddresses);
  }

  /** The node's id once its first heartbeat arrived. */
  get nodeId(): string | undefined {
    return this.#heartbeat?.nodeId;
  }

  get lastHeartbeat(): NodeHeartbeat | undefined {
    return this.#heartbeat;
  }

  get connected(): boolean {
    return this.#socket.connected;
  }

  get ready(): boolean {
    return !this.#closed && this.#socket.connected && (this.#heartbeat?.load.workersAlive ?? 0) > 0;
  }

  counts(): MediaCounts {
    const load = this.#heartbeat?.load;
    return {
      workers: load?.workers ?? 0,
      workersAlive: this.connected ? (load?.workersAlive ?? 0) : 0,
      rooms: load?.rooms ?? 0,
      peers: load?.peers ?? 0,
      transports: load?.transports ?? 0,
      producers: load?.producers ?? 0,
      consumers: load?.consumers ?? 0,
    };
  }

  /** Sends one control call; rejects with the node's MediaError code. */
  async call<M extends ControlMethod>(method: M, params: ControlParams<M>): Promise<ControlResults[M]> {
    if (this.#closed) throw new MediaError('invalid_state', 'remote media control is closed');
    if (!this.#socket.connected) throw new MediaError('invalid_state', `media node ${this.url} is unreachable`);
    let ack: ControlAck<ControlResults[M]>;
    try {
      ack = await this.#socket.timeout(this.#callTimeoutMs).emitWithAck('call', { method, params });
    } catch (error) {
      throw new MediaError('invalid_state', `media node ${this.url} did not answer ${method}`, { cause: error });
    }
    if (ack.ok) return ack.data;
    throw new MediaError(ack.error.code as MediaErrorCode, ack.error.message);
  }

  async ensureRoom(roomId: string): Promise<{ rtpCapabilities: ms.RtpCapabilities }> {
    const result = await this.call('ensureRoom', { roomId });
    this.#rooms.add(roomId);
    return result;
  }

  hasRoom(roomId: string): boolean {
    return this.#rooms.has(roomId);
  }

  closeRoom(roomId: string): void {
    this.#forgetRoom(roomId);
    this.#fireAndForget('closeRoom', { roomId });
  }

  createWebRtcTransport(
    roomId: string,
    peerId: string,
    direction: TransportDirection,
    options?: WebRtcTransportOptions,
  ): Promise<WebRtcTransportInfo> {
    // A node of an older release drops the options it does not know (zod strips them): it starts at 1 Mbit/s.
    return this.call('createWebRtcTransport', { roomId, peerId, direction, ...(options ? { options } : {}) });
  }

  async connectTransport(roomId: string, peerId: string, transportId: string, dtlsParameters: ms.DtlsParameters) {
    await this.call('connectTransport', { roomId, peerId, transportId, dtlsParameters: { ...dtlsParameters } });
  }

  async produce(
    roomId: string,
    peerId: string,
    input: { transportId: string; kind: MediaKind; rtpParameters: ms.RtpParameters; appData: Record<string, unknown> },
  ): Promise<ProducerInfo> {
    const info = await this.call('produce', { roomId, peerId, input: input as ControlParams<'produce'>['input'] });
    this.#roomProducers(roomId).set(info.id, info);
    return info;
  }

  async pauseProducer(roomId: string, peerId: string, producerId: string): Promise<void> {
    await this.call('pauseProducer', { roomId, peerId, producerId });
    this.#setPaused(roomId, producerId, true);
  }

  async resumeProducer(roomId: string, peerId: string, producerId: string): Promise<void> {
    await this.call('resumeProducer', { roomId, peerId, producerId });
    this.#setPaused(roomId, producerId, false);
  }

  closeProducer(roomId: string, peerId: string, producerId: string): void {
    this.#producers.get(roomId)?.delete(producerId);
    this.#fireAndForget('closeProducer', { roomId, peerId, producerId });
  }

  listProducers(roomId: string): ProducerInfo[] {
    return [...(this.#producers.get(roomId)?.values() ?? [])].map((info) => ({ ...info }));
  }

  consume(
    roomId: string,
    peerId: string,
    input: { transportId: string; producerId: string; rtpCapabilities: ms.RtpCapabilities },
  ): Promise<ConsumerInfo | null> {
    return this.call('consume', { roomId, peerId, input: { ...input, rtpCapabilities: { ...input.rtpCapabilities } } });
  }

  async resumeConsumer(roomId: string, peerId: string, consumerId: string): Promise<void> {
    await this.call('resumeConsumer', { roomId, peerId, consumerId });
  }

  async pauseConsumer(roomId: string, peerId: string, consumerId: string): Promise<void> {
    await this.call('pauseConsumer', { roomId, peerId, consumerId });
  }

  async setConsumerLayers(roomId: string, peerId: string, consumerId: string, layers: ConsumerLayers): Promise<void> {
    await this.call('setConsumerLayers', { roomId, peerId, consumerId, layers });
  }

  restartIce(roomId: string, peerId: string, transportId: string): Promise<ms.IceParameters> {
    return this.call('restartIce', { roomId, peerId, transportId });
  }

  startRecording(roomId: string, opts: StartRecordingOptions): Promise<{ filePath: string }> {
    return this.call('startRecording', { roomId, opts });
  }

  stopRecording(roomId: string): Promise<RecordingResult> {
    return this.call('stopRecording', { roomId });
  }

  setRecordingFocus(roomId: string, peerId: string | null): void {
    this.#fireAndForget('setRecordingFocus', { roomId, peerId });
  }

  closePeer(roomId: string, peerId: string): void {
    const producers = this.#producers.get(roomId);
    for (const [producerId, info] of producers ?? []) if (info.peerId === peerId) producers?.delete(producerId);
    this.#fireAndForget('closePeer', { roomId, peerId });
  }

  async createPlainProducer(roomId: string, peerId: string, input: PlainProducerInput): Promise<PlainProducerResult> {
    const params = { roomId, peerId, input: input as ControlParams<'createPlainProducer'>['input'] };
    const result = await this.call('createPlainProducer', params);
    this.#roomProducers(roomId).set(result.producerId, {
      id: result.producerId,
      peerId,
      kind: input.kind,
      paused: false,
      appData: { ...(input.appData ?? {}) },
    });
    return result;
  }

  createPlainConsumer(
    roomId: string,
    peerId: string,
    producerId: string,
    input: PlainConsumerInput,
  ): Promise<PlainConsumerResult> {
    return this.call('createPlainConsumer', { roomId, peerId, producerId, input });
  }

  async close(): Promise<void> {
    if (this.#closed) return;
    // closeRoom / closePeer sent during shutdown should reach the node before the socket goes.
    await Promise.allSettled([...this.#inflight]);
    this.#closed = true;
    this.#socket.close();
    this.removeAllListeners();
  }

  #onNodeEvent(message: NodeEventMessage): void {
    if (message.name === 'roomsrecreated') for (const roomId of message.payload.roomIds) this.#forgetRoom(roomId);
    // The union of name and payload is correct by construction on the node.
    (this.safeEmit as (name: string, payload: unknown) => void)(message.name, message.payload);
  }

  #forgetRoom(roomId: string): void {
    this.#rooms.delete(roomId);
    this.#producers.delete(roomId);
  }

  #roomProducers(roomId: string): Map<string, ProducerInfo> {
    let producers = this.#producers.get(roomId);
    if (!producers) {
      producers = new Map();
      this.#producers.set(roomId, producers);
    }
    return producers;
  }

  #setPaused(roomId: string, producerId: string, paused: boolean): void {
    const info = this.#producers.get(roomId)?.get(producerId);
    if (info) info.paused = paused;
  }

  /** MediaControl's void methods: the call goes out; a failure is only logged. */
  #fireAndForget<M extends ControlMethod>(method: M, params: ControlParams<M>): void {
    const pending = this.call(method, params)
      .catch((err: unknown) => logger.warn({ url: this.url, method, err }, 'call failed'))
      .finally(() => this.#inflight.delete(pending));
    this.#inflight.add(pending);
  }
}
