import { describe, expect, it } from 'vitest';
import type { MixRate } from './audioFrame.ts';
import { type MixLeg, RoomMixer } from './RoomMixer.ts';
import { concatFrames, goertzel, SineSource } from './toneTesting.ts';

/** A phone leg that speaks a tone (or silence) and records every mix it is given. */
class ToneLeg implements MixLeg {
  readonly heard: (Int16Array | null)[] = [];
  source: SineSource | null;
  constructor(
    frequency: number | null,
    amplitude = 4000,
    readonly mixRate: MixRate = 8000,
  ) {
    this.source = frequency === null ? null : new SineSource(frequency, amplitude, mixRate);
  }
  readFrame(): Int16Array | null {
    return this.source === null ? new Int16Array(this.mixRate / 50) : this.source.next();
  }
  writeFrame(mix: Int16Array | null): void {
    if (mix !== null && mix.length !== this.mixRate / 50) throw new Error(`mix of ${mix.length} samples`);
    this.heard.push(mix === null ? null : mix.slice());
  }
  /** What the leg heard over its last `ticks` ticks, nulls as silence. */
  recent(ticks: number): Int16Array {
    return concatFrames(this.heard.slice(-ticks).map((f) => f ?? new Int16Array(this.mixRate / 50)));
  }
}

function run(mixer: RoomMixer, ticks: number): void {
  for (let i = 0; i < ticks; i++) mixer.tick();
}

const HEARD = 1000;
const ABSENT = 20;

describe('RoomMixer', () => {
  it('gives each leg the others and never its own voice', () => {
    const mixer = new RoomMixer();
    const legs = { a: new ToneLeg(400), b: new ToneLeg(700), c: new ToneLeg(1100) };
    for (const [id, leg] of Object.entries(legs)) mixer.addLeg(id, leg);
    run(mixer, 25);
    const levels = (leg: ToneLeg) => [400, 700, 1100].map((f) => goertzel(leg.recent(20), f));
    const [a400, a700, a1100] = levels(legs.a);
    expect(a400).toBeLessThan(ABSENT);
    expect(a700).toBeGreaterThan(HEARD);
    expect(a1100).toBeGreaterThan(HEARD);
    const [b400, b700, b1100] = levels(legs.b);
    expect(b700).toBeLessThan(ABSENT);
    expect(b400).toBeGreaterThan(HEARD);
    expect(b1100).toBeGreaterThan(HEARD);
    const [c400, c700, c1100] = levels(legs.c);
    expect(c1100).toBeLessThan(ABSENT);
    expect(c400).toBeGreaterThan(HEARD);
    expect(c700).toBeGreaterThan(HEARD);
  });

  it('mixes at most maxSpeakers sources, the loudest', () => {
    const mixer = new RoomMixer({ maxSpeakers: 2 });
    const loud1 = new ToneLeg(400, 6000);
    const loud2 = new ToneLeg(700, 5000);
    const quiet = new ToneLeg(1100, 2000);
    const listener = new ToneLeg(null);
    mixer.addLeg('loud1', loud1);
    mixer.addLeg('loud2', loud2);
    mixer.addLeg('quiet', quiet);
    mixer.addLeg('listener', listener);
    run(mixer, 10);
    expect(mixer.speakers.sort()).toEqual(['loud1', 'loud2']);
    const heard = listener.recent(8);
    expect(goertzel(heard, 400)).toBeGreaterThan(HEARD);
    expect(goertzel(heard, 700)).toBeGreaterThan(HEARD);
    expect(goertzel(heard, 1100)).toBeLessThan(ABSENT);
    // The quiet leg is not mixed, so it hears both speakers in full.
    expect(goertzel(quiet.recent(8), 400)).toBeGreaterThan(HEARD);
  });

  it('keeps current speakers over a louder newcomer, and hands over when one stops', () => {
    const mixer = new RoomMixer({ maxSpeakers: 2, hangoverTicks: 5 });
    const a = new ToneLeg(400, 3000);
    const b = new ToneLeg(700, 3000);
    const newcomer = new ToneLeg(null);
    mixer.addLeg('a', a);
    mixer.addLeg('b', b);
    mixer.addLeg('newcomer', newcomer);
    run(mixer, 5);
    newcomer.source = new SineSource(1100, 8000);
    run(mixer, 5);
    expect(mixer.speakers.sort()).toEqual(['a', 'b']);
    a.source = null; // a falls silent: in hangover it yields to a source speaking now
    run(mixer, 1);
    expect(mixer.speakers.sort()).toEqual(['b', 'newcomer']);
  });

  it('holds a lone speaker through a pause no longer than the hangover', () => {
    const mixer = new RoomMixer({ hangoverTicks: 5 });
    const a = new ToneLeg(400);
    const listener = new ToneLeg(null);
    mixer.addLeg('a', a);
    mixer.addLeg('listener', listener);
    run(mixer, 3);
    a.source = null;
    run(mixer, 5);
    expect(mixer.speakers).toEqual(['a']);
    run(mixer, 1);
    expect(mixer.speakers).toEqual([]);
    expect(listener.heard.at(-1)).toBeNull();
    // Alone in the room, the speaker itself hears nothing (null: the leg sends comfort noise).
    expect(a.heard.every((f) => f === null)).toBe(true);
  });

  it('mixes browser audio from the tap into every leg', () => {
    const mixer = new RoomMixer();
    const browser = new SineSource(900, 4000);
    mixer.setTap({ readFrames: () => new Map([['peer-1', browser.next()]]) });
    const phone = new ToneLeg(400);
    mixer.addLeg('phone', phone);
    run(mixer, 10);
    expect(mixer.speakers.sort()).toEqual(['phone', 'tap:peer-1']);
    expect(goertzel(phone.recent(8), 900)).toBeGreaterThan(HEARD);
    expect(goertzel(phone.recent(8), 400)).toBeLessThan(ABSENT);
    mixer.removeLeg('phone');
    expect(mixer.legCount).toBe(0);
  });

  it('saturates instead of wrapping around', () => {
    const mixer = new RoomMixer();
    const full = () => new Int16Array(160).fill(30_000);
    mixer.setTap({
      readFrames: () =>
        new Map([
          ['p1', full()],
          ['p2', full()],
        ]),
    });
    const listener = new ToneLeg(null);
    mixer.addLeg('listener', listener);
    run(mixer, 1);
    expect(listener.heard[0]?.every((s) => s === 32_767)).toBe(true);
  });

  it('gives a G.722 leg the 16 kHz mix (6 kHz survives) and a G.711 leg the 8 kHz one, same level', () => {
    const mixer = new RoomMixer({ maxSpeakers: 4 });
    const wideTalker = new ToneLeg(6000, 6000, 16_000);
    const narrowTalker = new ToneLeg(500, 6000, 8000);
    const wideListener = new ToneLeg(null, 0, 16_000);
    const narrowListener = new ToneLeg(null, 0, 8000);
    mixer.addLeg('wideTalker', wideTalker);
    mixer.addLeg('narrowTalker', narrowTalker);
    mixer.addLeg('wideListener', wideListener);
    mixer.addLeg('narrowListener', narrowListener);
    const browser = new SineSource(1000, 6000, 16_000);
    mixer.setTap({ readFrames: () => new Map([['browser', browser.next()]]) });
    run(mixer, 30);
    const atWide = (f: number) => goertzel(wideListener.recent(20), f, 16_000);
    const atNarrow = (f: number) => goertzel(narrowListener.recent(20), f, 8000);
    // Every tone arrives at 6000 ± 3 % where the rate can carry it; nothing is scaled.
    for (const f of [500, 1000, 6000]) expect(Math.abs(atWide(f) - 6000)).toBeLessThan(180);
    for (const f of [500, 1000]) expect(Math.abs(atNarrow(f) - 6000)).toBeLessThan(180);
    // The narrow listener is not given an alias of the 6 kHz talker (at 2 kHz).
    expect(atNarrow(2000)).toBeLessThan(ABSENT);
    // Mix-minus at each rate: the talkers do not hear themselves.
    expect(goertzel(wideTalker.recent(20), 6000, 16_000)).toBeLessThan(ABSENT);
    expect(goertzel(wideTalker.recent(20), 500, 16_000)).toBeGreaterThan(5800);
    expect(goertzel(narrowTalker.recent(20), 500, 8000)).toBeLessThan(ABSENT);
    expect(goertzel(narrowTalker.recent(20), 1000, 8000)).toBeGreaterThan(5800);
  });
});
