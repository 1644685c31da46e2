/**
 * Forwards a phone's packets, as they arrive, to the mediasoup plain
 * producer of its leg: G.722 as is when the producer is G.722 (browsers
 * decode it: the room hears the phone wideband), G.711 as PCMU; always our
 * SSRC and payload type, one sequence number after another. The
 * producer's SSRC and codec are fixed when it is created, while the phone
 * may change SSRC (re-INVITE, transfer) or codec; restamping hides the
 * one, transcoding packet by packet (`UplinkTranscoder`) the other.
 *
 * Timestamps follow the phone's clock so silence suppression and loss keep
 * their real duration; packets that arrive out of order are dropped here
 * (the leg's own jitter buffer still reorders them for the mixer) since a
 * strictly increasing sequence cannot put them back.
 */
import type { Socket } from 'node:dgram';
import { alawToUlaw, g711Decode, ulawEncode } from './g711.ts';
import { G722Decoder, G722Encoder } from './g722.ts';
import { Downsampler, Upsampler } from './halfband.ts';
import type { PhoneCodec, UplinkCodec } from './phoneCodec.ts';
import { type RtpPacket, RtpSender } from './rtp.ts';

export interface UplinkTarget {
  ip: string;
  port: number;
  ssrc: number;
  payloadType: number;
  /** The producer's codec. Default PCMU. */
  codec?: UplinkCodec;
}

/** A timestamp jump larger than this (60 s at 8 kHz) is a broken clock, not a pause. */
const MAX_TS_JUMP = 8000 * 60;

function seqDiff(a: number, b: number): number {
  return ((a - b + 0x8000) & 0xffff) - 0x8000;
}

export class UplinkForwarder {
  readonly target: UplinkTarget;
  readonly #socket: Socket;
  readonly #sender: RtpSender;
  #transcoder: UplinkTranscoder | null = null;
  #phoneSsrc = -1;
  #phoneSeq = 0;
  #expectedTs = 0;
  #lastSentAt = 0;
  forwarded = 0;
  dropped = 0;

  constructor(socket: Socket, target: UplinkTarget) {
    this.#socket = socket;
    this.target = target;
    this.#sender = new RtpSender({ ssrc: target.ssrc, payloadType: target.payloadType });
  }

  sameAs(target: UplinkTarget): boolean {
    const t = this.target;
    return (
      t.ip === target.ip &&
      t.port === target.port &&
      t.ssrc === target.ssrc &&
      t.payloadType === target.payloadType &&
      (t.codec ?? 'PCMU') === (target.codec ?? 'PCMU')
    );
  }

  forward(packet: RtpPacket, codec: PhoneCodec): void {
    const now = Date.now();
    if (packet.ssrc !== this.#phoneSsrc) {
      if (this.#phoneSsrc !== -1) this.#sender.gap(this.#wallClockGap(now));
      this.#phoneSsrc = packet.ssrc;
    } else {
      if (seqDiff(packet.sequenceNumber, this.#phoneSeq) <= 0) {
        this.dropped++;
        return;
      }
      const jump = (packet.timestamp - this.#expectedTs) | 0;
      if (jump > 0 && jump <= MAX_TS_JUMP) this.#sender.gap(jump);
      else if (jump !== 0) this.#sender.gap(this.#wallClockGap(now));
    }
    this.#phoneSeq = packet.sequenceNumber;
    this.#expectedTs = (packet.timestamp + packet.payload.length) >>> 0;
    this.#lastSentAt = now;
    const payload = this.#payloadFor(packet.payload, codec);
    this.#socket.send(this.#sender.packet(payload, payload.length), this.target.port, this.target.ip);
    this.forwarded++;
  }

  #payloadFor(payload: Buffer, codec: PhoneCodec): Buffer {
    const target = this.target.codec ?? 'PCMU';
    if (codec === target) return payload;
    if (codec === 'PCMA' && target === 'PCMU') return alawToUlaw(payload);
    if (this.#transcoder?.from !== codec) this.#transcoder = new UplinkTranscoder(codec, target);
    return this.#transcoder.convert(payload);
  }

  /** Samples of wall-clock time since the last packet, less the one packet already stamped. */
  #wallClockGap(now: number): number {
    return Math.max(0, Math.round(((now - this.#lastSentAt) * 8000) / 1000) - 160);
  }
}

/**
 * The rare case of a phone whose codec changed family after its producer
 * was made (a re-INVITE from G.722 to G.711 or back): decode, convert the
 * rate, encode. Each packet keeps its duration, so its RTP timestamp span
 * (bytes = 8 kHz clock ticks for all three codecs) stays right.
 */
class UplinkTranscoder {
  readonly #g722Decoder = new G722Decoder();
  readonly #g722Encoder = new G722Encoder();
  readonly #down = new Downsampler();
  readonly #up = new Upsampler();

  constructor(
    readonly from: PhoneCodec,
    readonly to: UplinkCodec,
  ) {}

  convert(payload: Buffer): Buffer {
    const out: Buffer[] = [];
    // The resamplers take at most one 20 ms frame at a time.
    for (let start = 0; start < payload.length; start += 160) {
      const chunk = payload.subarray(start, start + 160);
      if (this.from === 'G722') {
        out.push(ulawEncode(this.#down.process(this.#g722Decoder.decode(chunk))));
      } else {
        out.push(this.#g722Encoder.encode(this.#up.process(g711Decode(this.from, chunk))));
      }
    }
    return out.length === 1 ? (out[0] as Buffer) : Buffer.concat(out);
  }
}
