import { BeaconError } from '@beacon/protocol';
import { describe, expect, it } from 'vitest';
import { RecordingLinks } from './recordingLinks.ts';

const secret = new TextEncoder().encode('a-jwt-secret-of-at-least-32-characters');

function queryOf(url: string): Record<string, string> {
  return Object.fromEntries(new URL(url, 'https://beacon.local').searchParams);
}

function codeOf(run: () => void): string | null {
  try {
    run();
    return null;
  } catch (error) {
    return error instanceof BeaconError ? error.code : String(error);
  }
}

describe('RecordingLinks', () => {
  it('issues a link good for one recording until it expires', () => {
    let now = Date.parse('2026-06-01T08:00:00Z');
    const links = new RecordingLinks({ secret, ttlSeconds: 300, now: () => now });
    const link = links.issue('rec-1');
    expect(link.expiresAt).toBe('2026-06-01T08:05:00.000Z');
    const query = queryOf(link.url);
    expect(codeOf(() => links.verify('rec-1', query))).toBeNull();
    expect(codeOf(() => links.verify('rec-2', query))).toBe('unauthorized');
    now += 299_000;
    expect(codeOf(() => links.verify('rec-1', query))).toBeNull();
    now += 1_000;
    expect(codeOf(() => links.verify('rec-1', query))).toBe('token_expired');
  });

  it('refuses a moved expiry, a forged or malformed signature, and links of another key', () => {
    const links = new RecordingLinks({ secret });
    const query = queryOf(links.issue('rec-1').url);
    const later = { ...query, expires: String(Number(query.expires) + 3600) };
    expect(codeOf(() => links.verify('rec-1', later))).toBe('unauthorized');
    expect(codeOf(() => links.verify('rec-1', { ...query, sig: 'A'.repeat(43) }))).toBe('unauthorized');
    expect(codeOf(() => links.verify('rec-1', { ...query, sig: ['x'] }))).toBe('unauthorized');
    expect(codeOf(() => links.verify('rec-1', { ...query, expires: '1e9' }))).toBe('unauthorized');
    expect(codeOf(() => new RecordingLinks().verify('rec-1', query))).toBe('unauthorized');
    // Another node with the same JWT secret accepts it (a cluster behind a load balancer).
    expect(codeOf(() => new RecordingLinks({ secret }).verify('rec-1', query))).toBeNull();
  });

  it('marks a download link, which the signature does not need to cover', () => {
    const links = new RecordingLinks({ secret });
    const query = queryOf(links.issue('rec-1', { download: true }).url);
    expect(query.download).toBe('1');
    expect(codeOf(() => links.verify('rec-1', query))).toBeNull();
  });
});
