import { describe, expect, it } from 'vitest';
import { randomPin, randomSipPassword, sipHashes } from './sipDigest.ts';

describe('sipHashes', () => {
  it('computes HA1 as RFC 2617 does', () => {
    // The worked example of RFC 2617 §3.5.
    expect(sipHashes('Mufasa', 'testrealm@host.com', 'Circle Of Life').ha1).toBe('939e7578ed9e3c518a452acee763bce9');
  });

  it('computes HA1b over user@realm, as Kamailio auth_db expects', () => {
    const { ha1, ha1b } = sipHashes('8001', 'beacon', 'beacon2026');
    expect(ha1b).toBe(sipHashes('8001@beacon', 'beacon', 'beacon2026').ha1);
    expect(ha1).not.toBe(ha1b);
    expect(ha1).toMatch(/^[0-9a-f]{32}$/);
  });
});

describe('random secrets', () => {
  it('keypad-friendly: 12-digit passwords, 4-digit PINs, not repeating', () => {
    const passwords = new Set(Array.from({ length: 50 }, randomSipPassword));
    for (const p of passwords) expect(p).toMatch(/^[0-9]{12}$/);
    expect(passwords.size).toBe(50);
    expect(randomPin()).toMatch(/^[0-9]{6}$/);
  });
});
