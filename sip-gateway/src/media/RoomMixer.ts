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
 */
import { FRAME_SAMPLES, frameRms, saturate } from './audioFrame.ts';

export interface MixLeg {
  /** This tick's frame from the phone, or null. May be reused by the leg after the tick. */
  readFrame(): Int16Array | null;
  /** This tick's mix for the phone, or null (nobody else speaking). Only valid during the call. */
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
  readonly #sum = new Int32Array(FRAME_SAMPLES);
  readonly #mixAll = new Int16Array(FRAME_SAMPLES);
  readonly #mixMinus = new Int16Array(FRAME_SAMPLES);

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
    this.#sum.fill(0);
    for (let p = 0; p < picked; p++) {
      const source = candidates[p] as Source;
      source.picked = true;
      const frame = source.frame as Int16Array;
      for (let i = 0; i < FRAME_SAMPLES; i++) this.#sum[i] = (this.#sum[i] as number) + (frame[i] ?? 0);
    }
    if (picked > 0) saturate(this.#sum, null, this.#mixAll);
    for (const { leg, source } of this.#legs.values()) {
      if (!source.picked) leg.writeFrame(picked > 0 ? this.#mixAll : null);
      else if (picked === 1) leg.writeFrame(null);
      else {
        saturate(this.#sum, source.frame, this.#mixMinus);
        leg.writeFrame(this.#mixMinus);
      }
    }
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
  return { frame: null, rms: 0, eligibleUntil: 0, picked: false, lastSeen: 0 };
}
