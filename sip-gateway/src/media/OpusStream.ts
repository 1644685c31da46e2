/**
 * Decodes one Opus stream (a browser's microphone, 48 kHz as WebRTC sends
 * it) straight to the gateway's mono frames, 16 kHz by default (the mixer's
 * wideband rate: G.722 legs hear browsers up to 8 kHz, G.711 legs get them
 * through one half-band filter per stream): libopus decodes any Opus
 * packet at any of its rates and downmixes stereo. Decoding is the
 * expensive part of the mixer, so a room has one OpusStream per browser
 * producer, shared by all its phones.
 */
import opus from '@discordjs/opus';
import { frameSamples, type MixRate, WIDE_SAMPLE_RATE } from './audioFrame.ts';

/** Gain per concealed frame: −6 dB every 20 ms, so a lost burst fades out instead of buzzing. */
const CONCEAL_FADE = 0.5;
/** Frames after which concealment is plain silence (the fade is inaudible by then). */
const CONCEAL_LIMIT = 5;

export class OpusStream {
  readonly #decoder: opus.OpusEncoder;
  readonly #frameSamples: number;
  /** Frames decoded beyond the first of a packet longer than 20 ms (browsers may send 40/60 ms). */
  readonly #pending: Int16Array[] = [];
  #last: Int16Array | null = null;
  #concealed = 0;
  /** Packets libopus rejected (each replaced by a concealment frame). */
  decodeErrors = 0;

  constructor(readonly rate: MixRate = WIDE_SAMPLE_RATE) {
    this.#decoder = new opus.OpusEncoder(rate, 1);
    this.#frameSamples = frameSamples(rate);
  }

  /** One 20 ms frame at `rate` from one Opus packet. A corrupt packet yields a concealment frame. */
  decode(payload: Buffer): Int16Array {
    let pcm: Buffer;
    try {
      pcm = this.#decoder.decode(payload);
    } catch {
      this.decodeErrors++;
      return this.conceal();
    }
    const samples = pcm.length >> 1;
    if (samples < this.#frameSamples) {
      // Opus frames shorter than 20 ms never come from WebRTC; pad rather than drift.
      const frame = new Int16Array(this.#frameSamples);
      for (let i = 0; i < samples; i++) frame[i] = pcm.readInt16LE(i * 2);
      return this.#remember(frame);
    }
    const all = pcm.byteOffset % 2 === 0 ? new Int16Array(pcm.buffer, pcm.byteOffset, samples) : copySamples(pcm);
    for (let start = this.#frameSamples; start + this.#frameSamples <= samples; start += this.#frameSamples) {
      this.#pending.push(all.subarray(start, start + this.#frameSamples));
    }
    return this.#remember(all.subarray(0, this.#frameSamples));
  }

  /** The next frame left over from a packet longer than 20 ms, if any: play it before popping another packet. */
  next(): Int16Array | null {
    const frame = this.#pending.shift();
    return frame === undefined ? null : this.#remember(frame);
  }

  /**
   * A frame for a lost packet: the last good frame repeated, fading by half
   * each time. libopus could synthesise better PLC, but the binding calls
   * opus_decode with its maximum frame size, so PLC makes 720 ms of audio per
   * call (ten times the cost of a decode, measured) and moves the decoder's
   * clock 720 ms on; repeat-and-fade is cheap and has neither problem.
   */
  conceal(): Int16Array {
    const frame = new Int16Array(this.#frameSamples);
    const last = this.#last;
    if (last !== null && this.#concealed < CONCEAL_LIMIT) {
      this.#concealed++;
      const gain = CONCEAL_FADE ** this.#concealed;
      for (let i = 0; i < this.#frameSamples; i++) frame[i] = Math.round((last[i] as number) * gain);
    }
    return frame;
  }

  #remember(frame: Int16Array): Int16Array {
    this.#last = frame;
    this.#concealed = 0;
    return frame;
  }
}

function copySamples(pcm: Buffer): Int16Array {
  const out = new Int16Array(pcm.length >> 1);
  for (let i = 0; i < out.length; i++) out[i] = pcm.readInt16LE(i * 2);
  return out;
}
