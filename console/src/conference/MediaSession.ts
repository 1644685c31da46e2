/**
 * One join's worth of mediasoup-client objects: the Device, a send and a recv
 * transport, our producers and the consumers of remote producers. Knows
 * nothing about Vue; a re-join builds a fresh MediaSession.
 */
import type { ConsumerParams, MediaSource, TransportParams } from '@beacon/signaling/protocol';
import { Device, type types } from 'mediasoup-client';
import type { SignalingClient } from '../signaling/SignalingClient.ts';

type LocalSource = Extract<MediaSource, 'mic' | 'camera'>;

/** VP8 simulcast: three spatial layers, three temporal layers each. */
const CAMERA_ENCODINGS: types.RtpEncodingParameters[] = [
  { scaleResolutionDownBy: 4, maxBitrate: 150_000, scalabilityMode: 'L1T3' },
  { scaleResolutionDownBy: 2, maxBitrate: 500_000, scalabilityMode: 'L1T3' },
  { scaleResolutionDownBy: 1, maxBitrate: 1_200_000, scalabilityMode: 'L1T3' },
];

export class MediaSession {
  readonly #signaling: SignalingClient;
  readonly #device = new Device();
  #sendTransport: types.Transport | null = null;
  #recvTransport: types.Transport | null = null;
  readonly #producers = new Map<LocalSource, types.Producer>();
  readonly #consumers = new Map<string, types.Consumer>();
  /** consumer:closed that arrived while the consume() was still in flight. */
  readonly #closedEarly = new Set<string>();
  #closed = false;

  readonly #onTransportFailed: () => void;

  /** `onTransportFailed`: ICE/DTLS of either transport failed; the caller re-joins. */
  constructor(signaling: SignalingClient, onTransportFailed: () => void) {
    this.#signaling = signaling;
    this.#onTransportFailed = onTransportFailed;
  }

  get closed(): boolean {
    return this.#closed;
  }

  get rtpCapabilities(): types.RtpCapabilities {
    return this.#device.rtpCapabilities;
  }

  get sendTransport(): types.Transport | null {
    return this.#sendTransport;
  }

  get recvTransport(): types.Transport | null {
    return this.#recvTransport;
  }

  async load(routerRtpCapabilities: unknown): Promise<void> {
    await this.#device.load({ routerRtpCapabilities: routerRtpCapabilities as types.RtpCapabilities });
  }

  async createTransports(): Promise<void> {
    const [send, recv] = await Promise.all([
      this.#signaling.request('transport:create', { direction: 'send' }),
      this.#signaling.request('transport:create', { direction: 'recv' }),
    ]);
    this.#sendTransport = this.#device.createSendTransport(transportOptions(send));
    this.#recvTransport = this.#device.createRecvTransport(transportOptions(recv));
    this.#wireConnect(this.#sendTransport);
    this.#wireConnect(this.#recvTransport);
    this.#sendTransport.on('produce', ({ kind, rtpParameters, appData }, callback, errback) => {
      const transportId = this.#sendTransport?.id ?? '';
      const source = appData.source as LocalSource;
      this.#signaling
        .request('producer:create', { transportId, kind, rtpParameters, source })
        .then(({ producerId }) => callback({ id: producerId }))
        .catch(errback);
    });
  }

  #wireConnect(transport: types.Transport): void {
    transport.on('connectionstatechange', (state) => {
      if (state === 'failed' && !this.#closed) this.#onTransportFailed();
    });
    transport.on('connect', ({ dtlsParameters }, callback, errback) => {
      this.#signaling
        .request('transport:connect', { transportId: transport.id, dtlsParameters })
        .then(() => callback())
        .catch(errback);
    });
  }

  /** Produces the stream's tracks; tracks outlive the producers (a re-join reuses them). */
  async publish(stream: MediaStream): Promise<void> {
    const transport = this.#sendTransport;
    if (!transport) throw new Error('publish before createTransports');
    const audio = stream.getAudioTracks()[0];
    const video = stream.getVideoTracks()[0];
    const jobs: Promise<void>[] = [];
    if (audio && this.#device.canProduce('audio')) {
      jobs.push(
        transport
          .produce({
            track: audio,
            codecOptions: { opusFec: true, opusDtx: true },
            stopTracks: false,
            appData: { source: 'mic' },
          })
          .then((producer) => this.#adoptProducer('mic', producer)),
      );
    }
    if (video && this.#device.canProduce('video')) {
      const vp8 = this.#device.rtpCapabilities.codecs?.find((c) => c.mimeType.toLowerCase() === 'video/vp8');
      jobs.push(
        transport
          .produce({
            track: video,
            encodings: CAMERA_ENCODINGS,
            codecOptions: { videoGoogleStartBitrate: 1000 },
            ...(vp8 ? { codec: vp8 } : {}),
            stopTracks: false,
            appData: { source: 'camera' },
          })
          .then((producer) => this.#adoptProducer('camera', producer)),
      );
    }
    await Promise.all(jobs);
  }

  #adoptProducer(source: LocalSource, producer: types.Producer): void {
    if (this.#closed) {
      producer.close();
      return;
    }
    this.#producers.set(source, producer);
  }

  hasProducer(source: LocalSource): boolean {
    return this.#producers.has(source);
  }

  /** Pauses or resumes a local producer, here and on the server. */
  async setProducerPaused(source: LocalSource, paused: boolean): Promise<void> {
    const producer = this.#producers.get(source);
    if (!producer || producer.closed || producer.paused === paused) return;
    if (paused) {
      producer.pause();
      await this.#signaling.request('producer:pause', { producerId: producer.id });
    } else {
      producer.resume();
      await this.#signaling.request('producer:resume', { producerId: producer.id });
    }
  }

  /** Consumes a remote producer; null when the consumer was closed meanwhile. */
  async consume(params: ConsumerParams): Promise<types.Consumer | null> {
    const transport = this.#recvTransport;
    if (!transport) throw new Error('consume before createTransports');
    const consumer = await transport.consume({
      id: params.consumerId,
      producerId: params.producerId,
      kind: params.kind,
      rtpParameters: params.rtpParameters as types.RtpParameters,
      appData: { peerId: params.peerId, source: params.source },
    });
    if (this.#closed || this.#closedEarly.delete(params.consumerId)) {
      consumer.close();
      return null;
    }
    this.#consumers.set(consumer.id, consumer);
    return consumer;
  }

  closeConsumer(consumerId: string): void {
    const consumer = this.#consumers.get(consumerId);
    if (!consumer) {
      this.#closedEarly.add(consumerId);
      return;
    }
    this.#consumers.delete(consumerId);
    consumer.close();
  }

  setConsumerPaused(consumerId: string, paused: boolean): void {
    const consumer = this.#consumers.get(consumerId);
    if (!consumer) return;
    if (paused) consumer.pause();
    else consumer.resume();
  }

  close(): void {
    if (this.#closed) return;
    this.#closed = true;
    // Closing a transport closes its producers and consumers.
    this.#sendTransport?.close();
    this.#recvTransport?.close();
    this.#producers.clear();
    this.#consumers.clear();
    this.#closedEarly.clear();
  }
}

function transportOptions(params: TransportParams): types.TransportOptions {
  return {
    id: params.id,
    iceParameters: params.iceParameters as types.IceParameters,
    iceCandidates: params.iceCandidates as types.IceCandidate[],
    dtlsParameters: params.dtlsParameters as types.DtlsParameters,
  };
}

/** RTCStatsReport as plain objects (what the e2e tests read through window.__beacon). */
export async function statsAsObjects(transport: types.Transport | null): Promise<Record<string, unknown>[]> {
  if (!transport || transport.closed) return [];
  const report = await transport.getStats();
  return [...report.values()].map((entry: Record<string, unknown>) => ({ ...entry }));
}
