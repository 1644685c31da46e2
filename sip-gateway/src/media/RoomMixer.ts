/**
 * Mix-minus for one room's phones. Every tick it reads each phone leg's
 * frame and the tap's browser frames, picks at most `maxSpeakers` sources
 * that are speaking, and gives every leg the sum of the picked sources
 * except its own voice.
 *
 * Why pick at all: summing every open microphone in a 20-phone room adds
 * twenty rooms' worth of background noise. A source counts as speaking when
 * its frame's RMS reaches `speechThreshold`; it keeps its slot for a short
 * hangover after it drops below, so the gaps between words do not make
 * speakers flap in and out. Sources speaking right now beat sources in
 * hangover, current speakers beat newcomers, then the louder wins.
 *
 * Two rates: G.722 legs (and browsers, decoded at 16 kHz) are wideband,
 * G.711 legs narrowband. A frame's length says its rate. The picked sources
 * are summed once per rate that some leg listens at: a source of the other
 * rate is converted once per tick (never once per leg) by its own half-band
 * filter, so a G.711 phone hears a browser band-limited to 4 kHz and a
 * G.722 phone hears it up to 8 kHz. Nothing is scaled: a tone reaches every
 * leg at the level it came in with.
 */
import {
  FRAME_SAMPLES,
  frameRms,
  type MixRate,
  SAMPLE_RATE,
  saturate,
  WIDE_FRAME_SAMPLES,
  WIDE_SAMPLE_RATE,
} from './audioFrame.ts';
import { Downsampler, Upsampler } from './halfband.ts';

export interface MixLeg {
  /** The rate of the frames the leg reads and is given: 8000 (G.711) or 16 000 (G.722). May change on a re-INVITE. */
  readonly mixRate: MixRate;
  /** This tick's frame from the phone, or null. May be reused by the leg after the tick. */
  readFrame(): Int16Array | null;
  /** This tick's mix for the phone at its `mixRate`, or null (nobody else speaking). Only valid during the call. */
  writeFrame(mix: Int16Array | null): void;
}

export interface RoomMixerOptions {
  /** Most sources mixed at once. Default 3. */
  maxSpeakers?: number;
  /** RMS (full scale 32767) below which a source counts as silent. Default 300 (≈ −40 dBov). */
  speechThreshold?: number;
  /** Ticks a source stays eligible after it falls silent. Default 15 (300 ms). */
  hangoverTicks?: number;
}

interface Source {
  frame: Int16Array | null;
  rms: number;
  /** Last tick at which the source was loud enough, plus the hangover. */
  eligibleUntil: number;
  picked: boolean;
  /** Tick of the last frame (tap sources only). */
  lastSeen: number;
  /** The frame at the other rate, valid for tick `convertedAt`; made only when some leg needs it. */
  converted: Int16Array | null;
  convertedAt: number;
  /** Made on first use: most sources are only ever heard at their own rate. */
  resampler: Downsampler | Upsampler | null;
}

/** One rate's bus: the sum of the picked sources and the mixes cut from it. */
interface Bus {
  rate: MixRate;
  listeners: number;
  sum: Int32Array;
  mixAll: Int16Array;
  mixMinus: Int16Array;
}

function newBus(rate: MixRate, samples: number): Bus {
  return {
    rate,
    listeners: 0,
    sum: new Int32Array(samples),
    mixAll: new Int16Array(samples),
    mixMinus: new Int16Array(samples),
  };
}

/** 10 s without a frame. */
const FORGET_TAP_SOURCE_TICKS = 500;

export class RoomMixer {
  readonly #maxSpeakers: number;
  readonly #threshold: number;
  readonly #hangover: number;
  readonly #legs = new Map<string, { leg: MixLeg; source: Source }>();
  readonly #tapSources = new Map<string, Source>();
  #tap: { readFrames(): Map<string, Int16Array> } | null = null;
  #tick = 0;
  readonly #candidates: Source[] = [];
  readonly #narrow = newBus(SAMPLE_RATE, FRAME_SAMPLES);
  readonly #wide = newBus(WIDE_SAMPLE_RATE, WIDE_FRAME_SAMPLES);

  constructor(opts: RoomMixerOptions = {}) {
    this.#maxSpeakers = Math.max(1, opts.maxSpeakers ?? 3);
    this.#threshold = opts.speechThreshold ?? 300;
    this.#hangover = opts.hangoverTicks ?? 15;
  }

  get legCount(): number {
    return this.#legs.size;
  }

  /** Ids of the sources mixed in the last tick: leg ids, and `tap:<peerId>` for browsers. */
  get speakers(): string[] {
    const ids: string[] = [];
    for (const [id, { source }] of this.#legs) if (source.picked) ids.push(id);
    for (const [peerId, source] of this.#tapSources) if (source.picked) ids.push(`tap:${peerId}`);
    return ids;
  }

  setTap(tap: { readFrames(): Map<string, Int16Array> } | null): void {
    this.#tap = tap;
    this.#tapSources.clear();
  }

  addLeg(legId: string, leg: MixLeg): void {
    this.#legs.set(legId, { leg, source: newSource() });
  }

  removeLeg(legId: string): void {
    this.#legs.delete(legId);
  }

  tick(): void {
    const now = ++this.#tick;
    const candidates = this.#candidates;
    candidates.length = 0;
    for (const { leg, source } of this.#legs.values()) this.#observe(source, leg.readFrame(), now);
    if (this.#tap !== null) {
      const frames = this.#tap.readFrames();
      for (const [peerId, source] of this.#tapSources) {
        if (frames.has(peerId)) continue;
        // A browser that left (or stays muted) is forgotten after a while; a short gap keeps its state.
        if (now - source.lastSeen > FORGET_TAP_SOURCE_TICKS) this.#tapSources.delete(peerId);
        else this.#observe(source, null, now);
      }
      for (const [peerId, frame] of frames) {
        let source = this.#tapSources.get(peerId);
        if (source === undefined) {
          source = newSource();
          this.#tapSources.set(peerId, source);
        }
        source.lastSeen = now;
        this.#observe(source, frame, now);
      }
    }
    candidates.sort(
      (a, b) =>
        Number(b.rms >= this.#threshold) - Number(a.rms >= this.#threshold) ||
        Number(b.picked) - Number(a.picked) ||
        b.rms - a.rms,
    );
    for (const source of candidates) source.picked = false;
    const picked = Math.min(this.#maxSpeakers, candidates.length);
    for (let p = 0; p < picked; p++) (candidates[p] as Source).picked = true;
    this.#narrow.listeners = 0;
    this.#wide.listeners = 0;
    for (const { leg } of this.#legs.values()) this.#busOf(leg).listeners++;
    if (picked > 0) {
      for (const bus of [this.#narrow, this.#wide]) {
        if (bus.listeners === 0) continue;
        bus.sum.fill(0);
        for (let p = 0; p < picked; p++) {
          const frame = this.#frameAt(candidates[p] as Source, bus.rate, now);
          for (let i = 0; i < bus.sum.length; i++) bus.sum[i] = (bus.sum[i] as number) + (frame[i] ?? 0);
        }
        saturate(bus.sum, null, bus.mixAll);
      }
    }
    for (const { leg, source } of this.#legs.values()) {
      const bus = this.#busOf(leg);
      if (!source.picked) leg.writeFrame(picked > 0 ? bus.mixAll : null);
      else if (picked === 1) leg.writeFrame(null);
      else {
        saturate(bus.sum, this.#frameAt(source, bus.rate, now), bus.mixMinus);
        leg.writeFrame(bus.mixMinus);
      }
    }
  }

  #busOf(leg: MixLeg): Bus {
    return leg.mixRate === WIDE_SAMPLE_RATE ? this.#wide : this.#narrow;
  }

  /** The source's frame of this tick at `rate`, converting it at most once per tick. */
  #frameAt(source: Source, rate: MixRate, now: number): Int16Array {
    const frame = source.frame as Int16Array;
    const wide = frame.length === WIDE_FRAME_SAMPLES;
    if (wide === (rate === WIDE_SAMPLE_RATE)) return frame;
    if (source.convertedAt === now && source.converted !== null) return source.converted;
    let resampler = source.resampler;
    if (resampler === null || resampler instanceof Downsampler !== wide) {
      // First conversion, or the source changed rate (a re-INVITE to another codec): new filter, new buffer.
      resampler = source.resampler = wide ? new Downsampler() : new Upsampler();
      source.converted = null;
    } else if (source.convertedAt !== now - 1) {
      // Not converted last tick: the filter's history is stale audio from before a pause.
      resampler.reset();
    }
    source.converted = resampler.process(frame, source.converted ?? undefined);
    source.convertedAt = now;
    return source.converted;
  }

  /** Records a source's frame for this tick and makes it a candidate when it is speaking or in hangover. */
  #observe(source: Source, frame: Int16Array | null, now: number): void {
    source.frame = frame;
    if (frame === null) {
      source.picked = false;
      source.rms = 0;
      return;
    }
    source.rms = frameRms(frame);
    if (source.rms >= this.#threshold) source.eligibleUntil = now + this.#hangover;
    if (source.eligibleUntil >= now) this.#candidates.push(source);
    else source.picked = false;
  }
}

function newSource(): Source {
  return {
    frame: null,
    rms: 0,
    eligibleUntil: 0,
    picked: false,
    lastSeen: 0,
    converted: null,
    convertedAt: 0,
    resampler: null,
  };
}
