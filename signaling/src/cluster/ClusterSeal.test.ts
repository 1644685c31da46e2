import { describe, expect, it } from 'vitest';
import { ClusterSeal, clusterKey } from './ClusterSeal.ts';

const KEY = new TextEncoder().encode('k'.repeat(32));

describe('ClusterSeal', () => {
  it('opens what it sealed and refuses anything forged, altered, stale or unsealed', () => {
    let now = 1_000_000;
    const seal = new ClusterSeal(KEY, { now: () => now });
    const sealed = seal.seal({ kind: 'request', claims: { role: 'township' } });
    expect(seal.open(sealed)).toEqual({ ok: true, message: { kind: 'request', claims: { role: 'township' } } });

    const altered = JSON.parse(sealed) as { m: string };
    altered.m = altered.m.replace('township', 'admin');
    expect(seal.open(JSON.stringify(altered))).toEqual({ ok: false, reason: 'bad_signature' });
    const other = new ClusterSeal(new TextEncoder().encode('o'.repeat(32)), { now: () => now });
    expect(seal.open(other.seal({ kind: 'request' }))).toEqual({ ok: false, reason: 'bad_signature' });
    expect(seal.open(JSON.stringify({ kind: 'request' }))).toEqual({ ok: false, reason: 'malformed' });
    expect(seal.open('not json')).toEqual({ ok: false, reason: 'malformed' });

    now += 30_001;
    expect(seal.open(sealed)).toEqual({ ok: false, reason: 'stale' });
    expect(() => new ClusterSeal(new Uint8Array(16))).toThrow(TypeError);
  });

  it('derives the same key on every node from the shared JWT secret, and another from another secret', () => {
    const jwtSecret = new TextEncoder().encode('j'.repeat(40));
    const derived = clusterKey({ clusterSecret: null, jwtSecret });
    expect(derived).toEqual(clusterKey({ clusterSecret: null, jwtSecret: new TextEncoder().encode('j'.repeat(40)) }));
    expect(derived).not.toEqual(
      clusterKey({ clusterSecret: null, jwtSecret: new TextEncoder().encode('x'.repeat(40)) }),
    );
    // Not the JWT secret itself: a cluster key cannot sign tokens.
    expect(Buffer.from(derived).includes(Buffer.from('jjjj'))).toBe(false);
    expect(clusterKey({ clusterSecret: 'c'.repeat(32), jwtSecret })).toEqual(new TextEncoder().encode('c'.repeat(32)));
  });
});
