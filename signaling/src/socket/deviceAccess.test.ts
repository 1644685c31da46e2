import { BeaconError, type ClientEventName, clientEventSchemas } from '@beacon/protocol';
import { describe, expect, it } from 'vitest';
import type { AuthClaims } from '../auth/tokens.ts';
import { assertDeviceMayUse } from './deviceAccess.ts';

const township: AuthClaims = {
  userId: 'u-lucheng',
  username: 'lucheng',
  displayName: '鹿城镇',
  role: 'township',
  townshipId: 'lucheng',
};
const gateway: AuthClaims = {
  userId: 'sip-gateway',
  username: 'sip-gateway',
  displayName: 'GW',
  role: 'service',
  townshipId: null,
};
const leg: AuthClaims = { ...township, userId: 'phone:8001', device: 'phone', extension: '8001' };
const unknownLeg: AuthClaims = { ...gateway, userId: 'phone:123', device: 'phone', extension: null };

const events = Object.keys(clientEventSchemas) as ClientEventName[];
const allowed = (claims: AuthClaims) =>
  events.filter((event) => {
    try {
      assertDeviceMayUse(claims, event);
      return true;
    } catch (err) {
      expect(err).toBeInstanceOf(BeaconError);
      expect((err as BeaconError).code).toBe('forbidden');
      return false;
    }
  });

describe('assertDeviceMayUse', () => {
  it('lets a phone leg join, leave, resume, mute itself, raise a hand and run its mic — nothing else', () => {
    const legEvents = [
      'room:join',
      'room:leave',
      'room:resume',
      'phone:media',
      'phone:video',
      'phone:view',
      'phone:state',
      'phone:count',
      'producer:pause',
      'producer:resume',
      'producer:close',
      'speak:request',
      'speak:cancel',
    ];
    expect(allowed(leg).sort()).toEqual(legEvents.sort());
    // A leg with role service (unknown caller) is still a leg: no sip:* for it.
    expect(allowed(unknownLeg).sort()).toEqual(legEvents.sort());
  });

  it('keeps sip:* for service accounts and phone:media|state|count for legs', () => {
    const browser = allowed(township);
    expect(browser.filter((e) => e.startsWith('sip:'))).toEqual([]);
    expect(browser).not.toContain('phone:media');
    expect(browser).not.toContain('phone:video');
    expect(browser).not.toContain('phone:view');
    expect(browser).toContain('phone:dial');
    expect(browser).toContain('chat:send');
    expect(allowed(gateway).filter((e) => e.startsWith('sip:'))).toHaveLength(13);
    expect(allowed(gateway)).not.toContain('phone:count');
  });
});
