/**
 * The typed control interface signaling uses to drive a media node.
 *
 * The media server never decides policy: it creates and closes mediasoup
 * objects on request and reports what happened. Identity (who may do what)
 * lives in signaling; here a peer is only an opaque `peerId` inside a room.
 *
 * The embedded default is the in-process implementation (`MediaServer`); a
 * network implementation for separate media nodes can implement the same
 * interface later without signaling changing.
 */
import type { types as ms } from 'mediasoup';

export type MediaKind = 'audio' | 'video';
export type TransportDirection = 'send' | 'recv';

/** What a browser needs to create its mediasoup-client transport. */
export interface WebRtcTransportInfo {
  id: string;
  direction: TransportDirection;
  iceParameters: ms.IceParameters;
  iceCandidates: ms.IceCandidate[];
  dtlsParameters: ms.DtlsParameters;
}

/** What a browser needs to create a consumer (it starts paused on the server). */
export interface ConsumerInfo {
  id: string;
  producerId: string;
  /** The peer whose producer this consumer receives. */
  producerPeerId: string;
  kind: MediaKind;
  rtpParameters: ms.RtpParameters;
  appData: Record<string, unknown>;
}

export interface ProducerInfo {
  id: string;
  peerId: string;
  kind: MediaKind;
  paused: boolean;
  appData: Record<string, unknown>;
}

/** Counts for metrics and readiness; no per-room detail on purpose. */
export interface MediaCounts {
  workers: number;
  workersAlive: number;
  rooms: number;
  peers: number;
  transports: number;
  producers: number;
  consumers: number;
}

/**
 * Events a media node reports to signaling. Tuples, as in mediasoup's own
 * typed emitters.
 */
export type MediaControlEvents = {
  /** A consumer closed on the server (its producer or transport went). */
  consumerclosed: [{ roomId: string; peerId: string; consumerId: string; producerId: string }];
  /** The producer behind a consumer paused or resumed (remote mute state). */
  consumerpaused: [{ roomId: string; peerId: string; consumerId: string }];
  consumerresumed: [{ roomId: string; peerId: string; consumerId: string }];
  /** The loudest speaker changed; `peerId` null when everyone is silent. */
  activespeaker: [{ roomId: string; peerId: string | null }];
  /**
   * The worker hosting these rooms died. Their routers and every object in
   * them are gone; new routers were created on a live worker, so clients must
   * re-join (create transports and producers again).
   */
  roomsrecreated: [{ roomIds: string[]; reason: string }];
  /**
   * The layers a simulcast video consumer actually forwards changed
   * (mediasoup `layerschange`). Null layers: nothing is forwarded right now
   * (producer paused or no layer receivable).
   */
  consumerlayers: [
    {
      roomId: string;
      peerId: string;
      consumerId: string;
      spatialLayer: number | null;
      temporalLayer: number | null;
    },
  ];
  /** A room recording stopped on its own because ffmpeg failed. */
  recordingfailed: [{ roomId: string; reason: string }];
  /**
   * A plain producer created with `keyFrameRequests` asked its sender for a key frame (mediasoup sent RTCP
   * PLI or FIR: a consumer joined, resumed or lost the picture). For senders that cannot read RTCP (a
   * GB/T 28181 camera behind signaling), so that signaling can ask for the key frame its own way.
   */
  keyframerequest: [{ roomId: string; peerId: string; producerId: string; type: 'pli' | 'fir' }];
};

/** The receiver's cap for a simulcast video consumer (tile size / weak-link setting). */
export interface ConsumerLayers {
  spatialLayer: number;
  temporalLayer?: number;
}

export interface StartRecordingOptions {
  /**
   * Names the output file `<recordingId>.webm` in the server's recordings directory; unique per recording.
   * Letters, digits, '.', '_' and '-', not starting with '.' (never a path).
   */
  recordingId: string;
}

export interface RecordingResult {
  filePath: string;
  durationMs: number;
  /** File size in bytes. */
  size: number;
}

export interface WebRtcTransportOptions {
  /**
   * Which receive link this is, the same from one meeting to the next (the
   * receiver's user id): a link limited last time starts at that budget
   * (media-server LinkMemory). Ignored for send transports. At most 200 characters.
   */
  linkKey?: string;
}

export interface MediaControl {
  /** Resolves when every worker is up (and WebRtcServers listen). */
  readonly ready: boolean;
  counts(): MediaCounts;

  /**
   * Gets or creates the room's router. Concurrent first calls for one room
   * share a single creation.
   */
  ensureRoom(roomId: string): Promise<{ rtpCapabilities: ms.RtpCapabilities }>;
  hasRoom(roomId: string): boolean;
  closeRoom(roomId: string): void;

  createWebRtcTransport(
    roomId: string,
    peerId: string,
    direction: TransportDirection,
    options?: WebRtcTransportOptions,
  ): Promise<WebRtcTransportInfo>;
  connectTransport(
    roomId: string,
    peerId: string,
    transportId: string,
    dtlsParameters: ms.DtlsParameters,
  ): Promise<void>;

  produce(
    roomId: string,
    peerId: string,
    input: {
      transportId: string;
      kind: MediaKind;
      rtpParameters: ms.RtpParameters;
      appData: Record<string, unknown>;
    },
  ): Promise<ProducerInfo>;
  pauseProducer(roomId: string, peerId: string, producerId: string): Promise<void>;
  resumeProducer(roomId: string, peerId: string, producerId: string): Promise<void>;
  closeProducer(roomId: string, peerId: string, producerId: string): void;
  listProducers(roomId: string): ProducerInfo[];

  /**
   * Creates a paused consumer of `producerId` on the peer's recv transport.
   * Returns null when the peer's RTP capabilities cannot consume it.
   */
  consume(
    roomId: string,
    peerId: string,
    input: { transportId: string; producerId: string; rtpCapabilities: ms.RtpCapabilities },
  ): Promise<ConsumerInfo | null>;
  resumeConsumer(roomId: string, peerId: string, consumerId: string): Promise<void>;
  /** Stops forwarding to the consumer (its tile is hidden); resumeConsumer undoes it. */
  pauseConsumer(roomId: string, peerId: string, consumerId: string): Promise<void>;
  /**
   * Caps the layers a simulcast video consumer receives. The server may pick
   * a lower layer when the receiver reports loss (see LayerPolicy). A no-op
   * for audio and non-simulcast consumers.
   */
  setConsumerLayers(roomId: string, peerId: string, consumerId: string, layers: ConsumerLayers): Promise<void>;

  /** Restarts ICE on the peer's WebRTC transport; returns the new ICE parameters. */
  restartIce(roomId: string, peerId: string, transportId: string): Promise<ms.IceParameters>;

  /**
   * Starts recording the room (all audio mixed + one main video) into one
   * WebM file in the server's recordings directory (`recordingsDir`). Rejects if the room is already
   * recording, and a recording id that is not a plain file name (`recording_id_invalid`).
   */
  startRecording(roomId: string, opts: StartRecordingOptions): Promise<{ filePath: string }>;
  /** Stops the recording and resolves when the file is complete. */
  stopRecording(roomId: string): Promise<RecordingResult>;
  /**
   * Chooses the recording's main video: the given peer's camera, or (null)
   * the active speaker, else the first camera.
   */
  setRecordingFocus(roomId: string, peerId: string | null): void;

  /** Closes every transport, producer and consumer of the peer. */
  closePeer(roomId: string, peerId: string): void;

  /**
   * Plain RTP into the room (a desk phone's G.711 through the SIP gateway);
   * see plainRtp.ts. `appData` should carry `source` like a browser producer.
   */
  createPlainProducer(roomId: string, peerId: string, input: PlainProducerInput): Promise<PlainProducerResult>;
  /**
   * Plain RTP out of the room to `remoteIp:remotePort` (the SIP gateway's mixer tap); an address outside the
   * server's `plainTargets`, or a port outside its `plainTargetPorts`, is refused with `target_not_allowed`.
   */
  createPlainConsumer(
    roomId: string,
    peerId: string,
    producerId: string,
    input: PlainConsumerInput,
  ): Promise<PlainConsumerResult>;

  on<K extends keyof MediaControlEvents>(event: K, listener: (...args: MediaControlEvents[K]) => void): this;
  off<K extends keyof MediaControlEvents>(event: K, listener: (...args: MediaControlEvents[K]) => void): this;

  close(): Promise<void>;
}

// ---- plain RTP (recorder, SIP gateway, tests) ------------------------------------

export interface PlainProducerInput {
  kind: MediaKind;
  /** Must name the payload type and SSRC the sender uses. */
  rtpParameters: ms.RtpParameters;
  /** Bind address; defaults to the server's listenIp. */
  listenIp?: string;
  appData?: Record<string, unknown>;
  /**
   * The sender's own address, when it knows it (the SIP gateway's phone
   * socket): RTP is then taken from there only (RTCP muxed on the same port).
   * Without it the first packet's source becomes the sender (comedia), and
   * anyone who reaches the port first would speak for the participant.
   */
  remote?: { ip: string; port: number };
  /** Emit `keyframerequest` whenever mediasoup asks this producer's sender for a key frame; default false. */
  keyFrameRequests?: boolean;
}

export interface PlainProducerResult {
  transportId: string;
  producerId: string;
  /** Where the sender must send RTP (comedia: the first packet's source becomes the remote). */
  ip: string;
  port: number;
  rtcpPort: number;
}

export interface PlainConsumerInput {
  remoteIp: string;
  remotePort: number;
  listenIp?: string;
  /** Plain consumers flow immediately unless this is true. */
  paused?: boolean;
}

export interface PlainConsumerResult {
  transportId: string;
  consumerId: string;
  localPort: number;
  /** Payload type and SSRC of what the remote will receive. */
  rtpParameters: ms.RtpParameters;
}
