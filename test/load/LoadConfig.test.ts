import { describe, expect, it } from 'vitest';
import { loadConfigSchema, placeParticipants } from './LoadConfig.ts';

const base = { urls: ['http://127.0.0.1:3000'], serviceToken: 't', rooms: ['a'], perRoom: 1 };

describe('load config', () => {
  it('fills documented defaults and refuses nonsense', () => {
    expect(loadConfigSchema.parse(base)).toMatchObject({
      rampPerSecond: 20,
      maxInFlight: 50,
      media: true,
      requestTimeoutMs: 10_000,
      tag: expect.stringMatching(/^[a-z0-9]{1,12}$/),
    });
    expect(loadConfigSchema.safeParse({ ...base, urls: [] }).success).toBe(false);
    expect(loadConfigSchema.safeParse({ ...base, urls: ['not a url'] }).success).toBe(false);
    expect(loadConfigSchema.safeParse({ ...base, perRoom: 0 }).success).toBe(false);
    expect(loadConfigSchema.safeParse({ ...base, tag: 'Has Space' }).success).toBe(false);
  });

  it('spreads participants round robin over nodes and rooms, each with its own caller number', () => {
    const placed = placeParticipants({
      urls: ['http://a', 'http://b'],
      rooms: ['r1', 'r2', 'r3'],
      perRoom: 2,
      tag: 'x',
    });
    expect(placed).toHaveLength(6);
    expect(placed.map((p) => `${p.url}|${p.roomId}`)).toEqual([
      'http://a|r1',
      'http://b|r2',
      'http://a|r3',
      'http://b|r1',
      'http://a|r2',
      'http://b|r3',
    ]);
    expect(new Set(placed.map((p) => p.fromNumber)).size).toBe(6);
    expect(placed[5]?.fromNumber).toBe('load-x-5');
  });
});
