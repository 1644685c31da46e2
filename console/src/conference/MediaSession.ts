/**
 * One join's worth of mediasoup-client objects: the Device, a send and a recv
 * transport, our producers and the consumers of remote producers. Knows
 * nothing about Vue; a re-join builds a fresh MediaSession.
 */
import type { ConsumerParams, MediaSource, TransportParams } from '@beacon/protocol';
import type { Device, types } from 'mediasoup-client';
import type { SignalingClient } from '../signaling/SignalingClient.ts';
import { markJoin } from './joinMarks.ts';

export type LocalSource = MediaSource;

export interface MediaSessionDelegate {
  /** A transport's ICE went 'disconnected' or 'failed': restart ICE or re-join. */
  onTransportTrouble(transport: types.Transport, state: 'disconnected' | 'failed'): void;
}

/** VP8 simulcast: three spatial layers, three temporal layers each. */
const CAMERA_ENCODINGS: types.RtpEncodingParameters[] = [
  { scaleResolutionDownBy: 4, maxBitrate: 150_000, scalabilityMode: 'L1T3' },
  { scaleResolutionDownBy: 2, maxBitrate: 500_000, scalabilityMode: 'L1T3' },
  { scaleResolutionDownBy: 1, maxBitrate: 1_200_000, scalabilityMode: 'L1T3' },
];

export class MediaSession {
  readonly #signaling: SignalingClient;
  readonly #device: Device;
  #sendTransport: types.Transport | null = null;
  #recvTransport: types.Transport | null = null;
  readonly #producers = new Map<LocalSource, types.Producer>();
  readonly #consumers = new Map<string, types.Consumer>();
  /** consumer:closed that arrived while the consume() was still in flight. */
  readonly #closedEarly = new Set<string>();
  #closed = false;

  readonly #delegate: MediaSessionDelegate;

  /** `device`: loaded already (DeviceCache); transports and producers are this session's own. */
  constructor(signaling: SignalingClient, device: Device, delegate: MediaSessionDelegate) {
    this.#signaling = signaling;
    this.#device = device;
    this.#delegate = delegate;
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

  get transports(): types.Transport[] {
    return [this.#sendTransport, this.#recvTransport].filter((t): t is types.Transport => t !== null && !t.closed);
  }

  /** A recv transport always; a send transport only when we may send now. */
  async createTransports({ send }: { send: boolean }): Promise<void> {
    const [recv] = await Promise.all([
      this.#signaling.request('transport:create', { direction: 'recv' }),
      send ? this.ensureSendTransport() : null,
    ]);
    this.#recvTransport = this.#device.createRecvTransport(transportOptions(recv));
    this.#wireConnect(this.#recvTransport);
  }

  /** The send transport, created on first need (e.g. when a broadcast returns to a meeting). */
  async ensureSendTransport(): Promise<types.Transport> {
    if (this.#sendTransport && !this.#sendTransport.closed) return this.#sendTransport;
    const params = await this.#signaling.request('transport:create', { direction: 'send' });
    if (this.#sendTransport && !this.#sendTransport.closed) return this.#sendTransport;
    const transport = this.#device.createSendTransport(transportOptions(params));
    this.#sendTransport = transport;
    if (this.#closed) transport.close();
    this.#wireConnect(transport);
    transport.on('produce', ({ kind, rtpParameters, appData }, callback, errback) => {
      const source = appData.source as LocalSource;
      this.#signaling
        .request('producer:create', { transportId: transport.id, kind, rtpParameters, source })
        .then(({ producerId }) => callback({ id: producerId }))
        .catch(errback);
    });
    return transport;
  }

  #wireConnect(transport: types.Transport): void {
    transport.on('connectionstatechange', (state) => {
      if (state === 'connected' && transport.direction === 'recv') markJoin('connected');
      if ((state === 'failed' || state === 'disconnected') && !this.#closed) {
        this.#delegate.onTransportTrouble(transport, state);
      }
    });
    transport.on('connect', ({ dtlsParameters }, callback, errback) => {
      this.#signaling
        .request('transport:connect', { transportId: transport.id, dtlsParameters })
        .then(() => callback())
        .catch(errback);
    });
  }

  /** New ICE parameters from the server, after a network change; producers and consumers stay. */
  async restartIce(transport: types.Transport): Promise<void> {
    const { iceParameters, iceServers } = await this.#signaling.request('transport:restartIce', {
      transportId: transport.id,
    });
    if (transport.closed) return;
    // Fresh TURN credentials (TURN on): the first ones may have expired in a long meeting.
    if (iceServers) await transport.updateIceServers({ iceServers });
    await transport.restartIce({ iceParameters: iceParameters as types.IceParameters });
  }

  /**
   * Produces the stream's mic and camera unless already produced; tracks
   * outlive the producers (a re-join or the end of a broadcast reuses them).
   */
  async publish(stream: MediaStream): Promise<void> {
    const transport = this.#sendTransport;
    if (!transport) throw new Error('publish before createTransports');
    const audio = this.#producers.has('mic') ? undefined : stream.getAudioTracks()[0];
    const video = this.#producers.has('camera') ? undefined : stream.getVideoTracks()[0];
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

  /** A screen or document share: one plain (non-simulcast) video producer. */
  async produceScreen(track: MediaStreamTrack): Promise<void> {
    const transport = this.#sendTransport;
    if (!transport) throw new Error('produceScreen without a send transport');
    const producer = await transport.produce({ track, stopTracks: false, appData: { source: 'screen' } });
    this.#adoptProducer('screen', producer);
  }

  /** Closes a producer here; `notify` also tells the server (not when the server closed it). */
  async closeProducer(source: LocalSource, notify: boolean): Promise<void> {
    const producer = this.#producers.get(source);
    if (!producer) return;
    this.#producers.delete(source);
    producer.close();
    if (notify) await this.#signaling.request('producer:close', { producerId: producer.id });
  }

  /** Matches a local producer to a pause/resume the server already did (the chair muted us). */
  syncProducerPaused(source: LocalSource, paused: boolean): void {
    const producer = this.#producers.get(source);
    if (!producer || producer.closed || producer.paused === paused) return;
    if (paused) producer.pause();
    else producer.resume();
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
    if (!consumer || consumer.closed) return;
    if (paused) consumer.pause();
    else consumer.resume();
  }

  consumer(consumerId: string): types.Consumer | undefined {
    return this.#consumers.get(consumerId);
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
    // TURN relay for terminals behind NAT or firewalls; absent when the node runs no TURN.
    ...(params.iceServers ? { iceServers: params.iceServers } : {}),
  };
}

/** RTCStatsReport as plain objects (what the e2e tests read through window.__beacon). */
export async function statsAsObjects(transport: types.Transport | null): Promise<Record<string, unknown>[]> {
  if (!transport || transport.closed) return [];
  const report = await transport.getStats();
  return [...report.values()].map((entry: Record<string, unknown>) => ({ ...entry }));
}
