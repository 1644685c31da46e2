/**
 * A phone leg's codec as the media path sees it: what one RTP payload
 * decodes to and how a frame of the mix is encoded back, at the codec's
 * own rate. G.711 (PCMU, PCMA) is narrowband and stateless; G.722 is
 * wideband (16 kHz audio, yet an RTP clock of 8000 — RFC 3551 §4.5.2 kept
 * the erroneous rate for compatibility) and keeps encoder and decoder state
 * per leg, so every leg gets its own instance, made anew on a codec change.
 */
import { FRAME_SAMPLES, type MixRate, SAMPLE_RATE, WIDE_FRAME_SAMPLES, WIDE_SAMPLE_RATE } from './audioFrame.ts';
import { comfortNoiseFrame, comfortNoisePayload } from './comfortNoise.ts';
import { type G711Codec, g711DecodeInto, g711EncodeInto } from './g711.ts';
import { G722Decoder, G722Encoder } from './g722.ts';
import { Upsampler } from './halfband.ts';

export type PhoneCodec = G711Codec | 'G722';

/** The codec the room's producer of a phone uses: G.722 as is (browsers decode it), G.711 as PCMU. */
export type UplinkCodec = 'PCMU' | 'G722';

export function uplinkCodecOf(codec: PhoneCodec): UplinkCodec {
  return codec === 'G722' ? 'G722' : 'PCMU';
}

export function codecRate(codec: PhoneCodec): MixRate {
  return codec === 'G722' ? WIDE_SAMPLE_RATE : SAMPLE_RATE;
}

export interface LegCodec {
  readonly codec: PhoneCodec;
  readonly rate: MixRate;
  /** Samples per 20 ms frame at `rate`. */
  readonly frameSamples: number;
  /** Decodes one payload into `out` from `offset`; returns the samples written (never past `out`'s end). */
  decodeInto(payload: Uint8Array, out: Int16Array, offset: number): number;
  /**
   * Encodes one outgoing frame: `frame` at the leg's rate, or an 8 kHz
   * frame (a prompt) when `narrow` is set, or comfort noise number `noise`
   * when `frame` is null. Returns the payload, valid until the next call.
   */
  encode(frame: Int16Array | null, narrow: boolean, noise: number): Buffer;
}

class G711LegCodec implements LegCodec {
  readonly rate = SAMPLE_RATE;
  readonly frameSamples = FRAME_SAMPLES;
  readonly #out = Buffer.alloc(FRAME_SAMPLES);
  constructor(readonly codec: G711Codec) {}

  decodeInto(payload: Uint8Array, out: Int16Array, offset: number): number {
    return g711DecodeInto(this.codec, payload, out, offset);
  }

  encode(frame: Int16Array | null, _narrow: boolean, noise: number): Buffer {
    if (frame === null) return comfortNoisePayload(this.codec, noise);
    g711EncodeInto(this.codec, frame, this.#out);
    return frame.length === FRAME_SAMPLES ? this.#out : this.#out.subarray(0, frame.length);
  }
}

class G722LegCodec implements LegCodec {
  readonly codec = 'G722';
  readonly rate = WIDE_SAMPLE_RATE;
  readonly frameSamples = WIDE_FRAME_SAMPLES;
  readonly #decoder = new G722Decoder();
  readonly #encoder = new G722Encoder();
  /** Prompts and comfort noise are 8 kHz: lifted to 16 kHz before encoding. */
  readonly #upsampler = new Upsampler();
  readonly #wide = new Int16Array(WIDE_FRAME_SAMPLES);
  readonly #out = Buffer.alloc(WIDE_FRAME_SAMPLES / 2);

  decodeInto(payload: Uint8Array, out: Int16Array, offset: number): number {
    return this.#decoder.decodeInto(payload, out, offset);
  }

  encode(frame: Int16Array | null, narrow: boolean, noise: number): Buffer {
    let wide: Int16Array;
    if (frame === null) wide = this.#upsampler.process(comfortNoiseFrame(noise), this.#wide);
    else if (narrow) wide = this.#upsampler.process(frame, this.#wide);
    else wide = frame;
    const bytes = this.#encoder.encodeInto(wide, this.#out);
    return bytes === this.#out.length ? this.#out : this.#out.subarray(0, bytes);
  }
}

export function createLegCodec(codec: PhoneCodec): LegCodec {
  return codec === 'G722' ? new G722LegCodec() : new G711LegCodec(codec);
}
