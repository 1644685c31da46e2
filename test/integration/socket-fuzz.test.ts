/**
 * A short run of the socket.io fuzz (test/fuzz, `npm run fuzz` runs the long
 * one): 2,000 payloads generated from the protocol's schemas, bent by every
 * mutation, sent by every role at once. Every payload with an ack callback
 * gets exactly one ack of the ack shape, none `internal`, and a normal join
 * still works afterwards.
 */
import { randomBytes } from 'node:crypto';
import { expect, it } from 'vitest';
import { IdPool } from '../fuzz/idPool.ts';
import { Random } from '../fuzz/random.ts';
import { roleTokens } from '../fuzz/roles.ts';
import { socketFuzz } from '../fuzz/socketFuzz.ts';
import { SignalingClient } from '../src/signaling.ts';
import { login, useTestNode } from './helpers.ts';

const jwtSecret = randomBytes(32).toString('base64url');
// Rates off: with Beacon's per-socket rates most payloads would stop at `rate_limited` before the handlers.
const rates = {
  BEACON_RATE_MEDIA: 'off',
  BEACON_RATE_CONTROL: 'off',
  BEACON_RATE_COMMAND: 'off',
  BEACON_RATE_CHAT: 'off',
};
const t = useTestNode({ env: { BEACON_JWT_SECRET: jwtSecret, ...rates } });

it('answers 2,000 fuzzed payloads from every role with coded acks, and a normal join works after', async () => {
  const seed = Number(process.env.FUZZ_SEED ?? Math.floor(Math.random() * 2 ** 31));
  const ids = new IdPool();
  for (const roomId of ['city-weekly', 'emergency-drill']) ids.add('roomId', roomId);
  const figures = await socketFuzz({
    url: t.url,
    clients: await roleTokens(t.url, jwtSecret),
    payloads: 2_000,
    window: 8,
    ackTimeoutMs: 15_000,
    hugeStringBytes: 200_000,
    random: new Random(seed),
    ids,
  });
  expect(figures.sent, `seed ${seed}`).toBe(2_000);
  // Each finding names the event, the mutation and a sample of the payload; FUZZ_SEED=<seed> repeats the run.
  expect(figures.findings, `seed ${seed}`).toEqual([]);
  expect(figures.noAck).toBe(0);
  expect(figures.acksByCode.internal ?? 0).toBe(0);
  expect(figures.acksByCode.bad_request).toBeGreaterThan(0);

  const chair = await SignalingClient.connect(t.url, await login(t.url, 'chair'));
  try {
    const joined = await chair.join('city-weekly');
    expect(joined.roomId).toBe('city-weekly');
  } finally {
    chair.close();
  }
});
