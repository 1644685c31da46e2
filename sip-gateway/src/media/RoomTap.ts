/**
 * The room's browser audio, as the gateway receives it from mediasoup: one
 * plain transport (rtcpMux) with a consumer per browser audio producer, all
 * arriving on one UDP port and told apart by SSRC. Each stream has its own
 * jitter buffer and decoder; readFrames() gives one frame per stream per
 * tick for the mixer: 16 kHz for Opus (browsers) and G.722 (another
 * gateway's wideband phone), 8 kHz for G.711.
 *
 * The tap must not consume the gateway's own phone producers: the mixer
 * already mixes phones locally, and hearing them again through mediasoup
 * would be an echo of each phone's own voice.
 *
 * A stream's first packet pins where it comes from (mediasoup's transport):
 * later packets with its SSRC from any other address or port are dropped
 * and counted, so whoever reads an SSRC off the wire cannot speak into the
 * phones' mix. Re-adding a stream (retap after a reconnect) forgets the pin.
 */

import type { RemoteInfo, Socket } from 'node:dgram';
import type { TapStream as ProtocolTapStream } from '@beacon/protocol';
import { createLogger } from '../logger.ts';
import { FRAME_SAMPLES, WIDE_FRAME_SAMPLES } from './audioFrame.ts';
import { type G711Codec, g711DecodeInto } from './g711.ts';
import { G722Decoder } from './g722.ts';
import { JitterBuffer } from './JitterBuffer.ts';
import { OpusStream } from './OpusStream.ts';
import { parseRtp } from './rtp.ts';
import { bindUdp, type PortRange } from './udpBind.ts';

const logger = createLogger('RoomTap');

/** One producer of the room as signaling's `sip:tap` describes it. */
export type TapStreamInfo = ProtocolTapStream;

export interface RoomTapOptions {
  localIp: string;
  /** Default: any free port. */
  portRange?: PortRange;
  /** Called for each datagram dropped because it came from elsewhere than its stream's source (metrics). */
  onForeignPacket?: () => void;
}

/** Ticks of concealment after a stream's last real frame; after that a quiet stream yields nothing. */
const CONCEAL_TICKS = 3;

interface TapStream {
  info: TapStreamInfo;
  jitter: JitterBuffer;
  /** Opus decoder, or the codec of a PCMU/PCMA/G722 producer (another gateway's phone). */
  decoder: OpusStream | G722Decoder | G711Codec;
  ticksSinceFrame: number;
  /** `ip:port` of the stream's first packet; null until it arrives. */
  source: string | null;
}

export class RoomTap {
  readonly localIp: string;
  readonly localPort: number;
  readonly #socket: Socket;
  readonly #byProducer = new Map<string, TapStream>();
  readonly #bySsrc = new Map<number, TapStream>();
  readonly #onForeign: (() => void) | undefined;
  #closed = false;
  /** Datagrams that were RTCP, garbage, or for an SSRC we were not told about. */
  ignored = 0;
  /** Packets of a known stream from another source than its first packet's: dropped. */
  foreignDropped = 0;

  static async open(opts: RoomTapOptions): Promise<RoomTap> {
    const socket = await bindUdp(opts.localIp, opts.portRange ?? null);
    return new RoomTap(socket, opts);
  }

  private constructor(socket: Socket, opts: RoomTapOptions) {
    this.#socket = socket;
    this.localIp = opts.localIp;
    this.localPort = socket.address().port;
    this.#onForeign = opts.onForeignPacket;
    socket.on('message', (msg, rinfo) => this.#onMessage(msg, rinfo));
    socket.on('error', (err) => logger.debug({ err, port: this.localPort }, 'socket error'));
  }

  get streamCount(): number {
    return this.#byProducer.size;
  }

  /** RTP packets accepted into the streams' jitter buffers so far. */
  get packetsReceived(): number {
    let received = 0;
    for (const stream of this.#byProducer.values()) received += stream.jitter.stats.received;
    return received;
  }

  addStream(s: TapStreamInfo): void {
    const mime = s.mimeType.toLowerCase();
    let decoder: OpusStream | G722Decoder | G711Codec;
    if (mime === 'audio/opus') decoder = new OpusStream();
    else if (mime === 'audio/g722') decoder = new G722Decoder();
    else if (mime === 'audio/pcmu') decoder = 'PCMU';
    else if (mime === 'audio/pcma') decoder = 'PCMA';
    else throw new TypeError(`RoomTap cannot decode ${s.mimeType}`);
    this.removeStream(s.producerId);
    const stream: TapStream = {
      info: { ...s },
      jitter: new JitterBuffer(),
      decoder,
      ticksSinceFrame: CONCEAL_TICKS,
      source: null,
    };
    this.#byProducer.set(s.producerId, stream);
    this.#bySsrc.set(s.ssrc >>> 0, stream);
  }

  removeStream(producerId: string): void {
    const stream = this.#byProducer.get(producerId);
    if (stream === undefined) return;
    this.#byProducer.delete(producerId);
    if (this.#bySsrc.get(stream.info.ssrc >>> 0) === stream) this.#bySsrc.delete(stream.info.ssrc >>> 0);
  }

  readFrames(): Map<string, Int16Array> {
    const frames = new Map<string, Int16Array>();
    for (const stream of this.#byProducer.values()) {
      const frame = this.#readStream(stream);
      if (frame === null) continue;
      const already = frames.get(stream.info.peerId);
      frames.set(stream.info.peerId, already === undefined ? frame : sumFrames(already, frame));
    }
    return frames;
  }

  close(): void {
    if (this.#closed) return;
    this.#closed = true;
    this.#byProducer.clear();
    this.#bySsrc.clear();
    this.#socket.close();
  }

  #readStream(stream: TapStream): Int16Array | null {
    const { decoder } = stream;
    if (decoder instanceof OpusStream) {
      const pending = decoder.next();
      if (pending !== null) return pending;
    }
    const payload = stream.jitter.pop();
    if (payload !== null) {
      stream.ticksSinceFrame = 0;
      if (decoder instanceof OpusStream) return decoder.decode(payload);
      if (decoder instanceof G722Decoder) {
        const frame = new Int16Array(WIDE_FRAME_SAMPLES);
        decoder.decodeInto(payload, frame);
        return frame;
      }
      const frame = new Int16Array(FRAME_SAMPLES);
      g711DecodeInto(decoder, payload.subarray(0, FRAME_SAMPLES), frame);
      return frame;
    }
    if (stream.ticksSinceFrame >= CONCEAL_TICKS) return null;
    stream.ticksSinceFrame++;
    return decoder instanceof OpusStream ? decoder.conceal() : null;
  }

  #onMessage(msg: Buffer, rinfo: RemoteInfo): void {
    const packet = parseRtp(msg);
    const stream = packet === null ? undefined : this.#bySsrc.get(packet.ssrc);
    if (packet === null || stream === undefined || packet.payloadType !== stream.info.payloadType) {
      this.ignored++;
      return;
    }
    const source = `${rinfo.address}:${rinfo.port}`;
    stream.source ??= source;
    if (stream.source !== source) {
      this.foreignDropped++;
      if (this.foreignDropped === 1) logger.warn({ port: this.localPort, from: source }, 'forged tap RTP dropped');
      this.#onForeign?.();
      return;
    }
    stream.jitter.push(packet);
  }
}

/** Two streams of one peer; of two rates (a rare mix) the first stream's frame stands alone. */
function sumFrames(a: Int16Array, b: Int16Array): Int16Array {
  if (a.length !== b.length) return a;
  const out = new Int16Array(a.length);
  for (let i = 0; i < out.length; i++) out[i] = Math.max(-32_768, Math.min(32_767, (a[i] ?? 0) + (b[i] ?? 0)));
  return out;
}
