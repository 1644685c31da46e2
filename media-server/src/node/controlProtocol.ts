/**
 * The wire protocol between signaling and a standalone media node: the whole
 * `MediaControl` interface plus the cascade's pipe methods, over socket.io.
 *
 * - Request: `socket.emit('call', { method, params }, ack)`; params are
 *   validated with the zod schema of the method below.
 * - Ack: `{ ok: true, data } | { ok: false, error: { code, message } }`, codes
 *   are `MediaErrorCode`s (plus `bad_request` and `unauthorized`).
 * - Pushed: `event` ({ name, payload }: MediaControl and PipeHub events) and
 *   `heartbeat` (every 2 s, and at once on connect).
 *
 * mediasoup's own parameter objects (RTP parameters, DTLS parameters, ...)
 * are checked for shape only; mediasoup validates them in depth and its
 * TypeErrors come back as `bad_request`.
 */
import type { types as ms } from 'mediasoup';
import { z } from 'zod';
import type { PipeCounts, PipedProducerParams, PipeEndpoint, PipeHubEvents } from '../cascade/PipeHub.ts';
import type {
  ConsumerInfo,
  MediaControlEvents,
  MediaCounts,
  PlainConsumerResult,
  PlainProducerResult,
  ProducerInfo,
  RecordingResult,
  WebRtcTransportInfo,
} from '../MediaControlTypes.ts';

const id = z.string().min(1).max(200);
const kind = z.enum(['audio', 'video']);
/** A mediasoup parameter object: shape only, mediasoup validates the rest. */
const msObject = <T>() => z.looseObject({}).transform((value) => value as T);
const appData = z.record(z.string(), z.unknown());
const room = { roomId: id };
const peer = { roomId: id, peerId: id };
const pipe = { roomId: id, remoteNodeId: id };

const rtpParameters = z
  .looseObject({ codecs: z.array(z.looseObject({})) })
  .transform((value) => value as unknown as ms.RtpParameters);
const srtpParameters = z
  .object({ cryptoSuite: z.string(), keyBase64: z.string() })
  .transform((value) => value as ms.SrtpParameters);
const pipeEndpoint = z.object({
  ip: z.string().min(1),
  port: z.number().int().min(1).max(65_535),
  srtpParameters: srtpParameters.optional(),
});

export const controlMethods = {
  counts: z.object({}),
  ensureRoom: z.object(room),
  closeRoom: z.object(room),
  createWebRtcTransport: z.object({
    ...peer,
    direction: z.enum(['send', 'recv']),
    options: z.object({ linkKey: id.optional() }).optional(),
  }),
  connectTransport: z.object({ ...peer, transportId: id, dtlsParameters: msObject<ms.DtlsParameters>() }),
  produce: z.object({
    ...peer,
    input: z.object({ transportId: id, kind, rtpParameters, appData }),
  }),
  pauseProducer: z.object({ ...peer, producerId: id }),
  resumeProducer: z.object({ ...peer, producerId: id }),
  closeProducer: z.object({ ...peer, producerId: id }),
  listProducers: z.object(room),
  consume: z.object({
    ...peer,
    input: z.object({ transportId: id, producerId: id, rtpCapabilities: msObject<ms.RtpCapabilities>() }),
  }),
  resumeConsumer: z.object({ ...peer, consumerId: id }),
  pauseConsumer: z.object({ ...peer, consumerId: id }),
  setConsumerLayers: z.object({
    ...peer,
    consumerId: id,
    layers: z.object({
      spatialLayer: z.number().int().min(0),
      temporalLayer: z.number().int().min(0).optional(),
    }),
  }),
  restartIce: z.object({ ...peer, transportId: id }),
  // Strict: a request naming a directory (or anything but the id) is refused, never silently half-obeyed.
  startRecording: z.object({ ...room, opts: z.strictObject({ recordingId: id }) }),
  stopRecording: z.object(room),
  setRecordingFocus: z.object({ ...room, peerId: id.nullable() }),
  closePeer: z.object(peer),
  createPlainProducer: z.object({
    ...peer,
    input: z.object({
      kind,
      rtpParameters,
      listenIp: z.string().optional(),
      appData: appData.optional(),
      remote: z.object({ ip: z.string().min(1).max(64), port: z.number().int().min(1).max(65_535) }).optional(),
      keyFrameRequests: z.boolean().optional(),
    }),
  }),
  createPlainConsumer: z.object({
    ...peer,
    producerId: id,
    input: z.object({
      remoteIp: z.string().min(1),
      remotePort: z.number().int().min(1).max(65_535),
      listenIp: z.string().optional(),
      paused: z.boolean().optional(),
    }),
  }),
  // The remote node's registered addresses: connectPipe accepts no other endpoint.
  openPipe: z.object({
    ...pipe,
    enableSrtp: z.boolean(),
    peerAddresses: z
      .array(z.union([z.ipv4(), z.ipv6()]))
      .min(1)
      .max(32)
      .optional(),
  }),
  connectPipe: z.object({ ...pipe, remote: pipeEndpoint }),
  pipeConsume: z.object({ ...pipe, producerId: id }),
  pipeProduce: z.object({
    ...pipe,
    params: z.object({
      producerId: id,
      peerId: id,
      kind,
      rtpParameters,
      paused: z.boolean(),
      appData,
    }),
  }),
  setPipedProducer: z.object({ ...pipe, producerId: id, action: z.enum(['pause', 'resume', 'close']) }),
  unpipe: z.object({ ...pipe, producerId: id }),
  closePipe: z.object(pipe),
} as const;

export type ControlMethod = keyof typeof controlMethods;
export type ControlParams<M extends ControlMethod> = z.input<(typeof controlMethods)[M]>;
export type ParsedControlParams<M extends ControlMethod> = z.output<(typeof controlMethods)[M]>;

/** What each method resolves with. */
export interface ControlResults {
  counts: MediaCounts;
  ensureRoom: { rtpCapabilities: ms.RtpCapabilities };
  closeRoom: null;
  createWebRtcTransport: WebRtcTransportInfo;
  connectTransport: null;
  produce: ProducerInfo;
  pauseProducer: null;
  resumeProducer: null;
  closeProducer: null;
  listProducers: ProducerInfo[];
  consume: ConsumerInfo | null;
  resumeConsumer: null;
  pauseConsumer: null;
  setConsumerLayers: null;
  restartIce: ms.IceParameters;
  startRecording: { filePath: string };
  stopRecording: RecordingResult;
  setRecordingFocus: null;
  closePeer: null;
  createPlainProducer: PlainProducerResult;
  createPlainConsumer: PlainConsumerResult;
  openPipe: PipeEndpoint;
  connectPipe: null;
  pipeConsume: PipedProducerParams;
  pipeProduce: null;
  setPipedProducer: null;
  unpipe: null;
  closePipe: null;
}

export type ControlErrorCode = string;
export type ControlAck<T> = { ok: true; data: T } | { ok: false; error: { code: ControlErrorCode; message: string } };

/** Events a node pushes: MediaControl's and the PipeHub's, by name. */
export type NodeEvents = MediaControlEvents & PipeHubEvents;
export type NodeEventMessage = { [K in keyof NodeEvents]: { name: K; payload: NodeEvents[K][0] } }[keyof NodeEvents];

/** Load figures of one node, as sent in each heartbeat. */
export interface NodeLoad extends MediaCounts, PipeCounts {
  /** CPU of the node process and its workers, % of one core (may exceed 100 with several workers). */
  cpuPercent: number;
}

export const nodeHeartbeatSchema = z.object({
  nodeId: id,
  /** New on every process start: a changed bootId means the node restarted and lost its rooms. */
  bootId: id,
  region: z.string().min(1),
  /** Where browsers reach the node's media (its announced address). */
  address: z.string().min(1),
  load: z.object({
    workers: z.number(),
    workersAlive: z.number(),
    rooms: z.number(),
    peers: z.number(),
    transports: z.number(),
    producers: z.number(),
    consumers: z.number(),
    pipeTransports: z.number(),
    pipeConsumers: z.number(),
    pipeProducers: z.number(),
    cpuPercent: z.number(),
  }),
  sentAt: z.number(),
});
export type NodeHeartbeat = z.infer<typeof nodeHeartbeatSchema>;

export const HEARTBEAT_INTERVAL_MS = 2_000;
