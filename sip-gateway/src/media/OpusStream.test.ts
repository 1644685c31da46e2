import { describe, expect, it } from 'vitest';
import { frameRms } from './audioFrame.ts';
import { OpusStream } from './OpusStream.ts';
import { encodeOpusTone } from './opusTesting.ts';
import { concatFrames, goertzel } from './toneTesting.ts';

describe('OpusStream', () => {
  it('decodes 48 kHz stereo Opus into 16 kHz mono frames with the tone intact, level kept', () => {
    const stream = new OpusStream();
    const frames = encodeOpusTone(600, 8000, 25).map((p) => stream.decode(p).slice());
    expect(frames.every((f) => f.length === 320)).toBe(true);
    const tail = concatFrames(frames.slice(5));
    expect(goertzel(tail, 600, 16_000)).toBeGreaterThan(7500);
    expect(goertzel(tail, 600, 16_000)).toBeLessThan(8500);
    expect(goertzel(tail, 1500, 16_000)).toBeLessThan(300);
  });

  it('decodes into 8 kHz frames when asked', () => {
    const stream = new OpusStream(8000);
    const frames = encodeOpusTone(600, 8000, 25).map((p) => stream.decode(p).slice());
    expect(frames.every((f) => f.length === 160)).toBe(true);
    const tail = concatFrames(frames.slice(5));
    expect(goertzel(tail, 600)).toBeGreaterThan(5000);
    expect(goertzel(tail, 1500)).toBeLessThan(300);
  });

  it('splits a 60 ms packet into three frames', () => {
    const stream = new OpusStream();
    const [packet] = encodeOpusTone(600, 8000, 1, 60);
    expect(stream.decode(packet as Buffer)).toHaveLength(320);
    expect(stream.next()).toHaveLength(320);
    expect(stream.next()).toHaveLength(320);
    expect(stream.next()).toBeNull();
  });

  it('conceals a loss by fading the last frame out, and survives corrupt packets', () => {
    const stream = new OpusStream();
    for (const p of encodeOpusTone(600, 8000, 10)) stream.decode(p);
    const levels = Array.from({ length: 7 }, () => frameRms(stream.conceal()));
    expect(levels[0]).toBeGreaterThan(1000);
    for (let i = 1; i < 5; i++) expect(levels[i]).toBeLessThan((levels[i - 1] as number) * 0.6);
    expect(levels[6]).toBe(0);
    expect(() => stream.decode(Buffer.from([0xff, 0xff, 0xff]))).not.toThrow();
  });
});
