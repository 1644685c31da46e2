import { BeaconError, clientEventSchemas, commandEventSchemas } from '@beacon/protocol';
import { describe, expect, it } from 'vitest';
import type { AuthClaims } from '../auth/tokens.ts';
import { authorize, isAllowed, PERMISSIONS, roleOnJoin } from './permissions.ts';

const account = (role: AuthClaims['role']): AuthClaims => ({
  userId: `u-${role}`,
  username: role,
  displayName: role,
  role,
  townshipId: role === 'township' ? 'lucheng' : null,
});

describe('permission table', () => {
  it("covers every client event except the role-less ones, the gateway's sip:* and the command room's", () => {
    const events = Object.keys(clientEventSchemas).filter(
      (e) =>
        !['room:join', 'room:resume', 'room:leave'].includes(e) && !e.startsWith('sip:') && !(e in commandEventSchemas),
    );
    expect(Object.keys(PERMISSIONS).sort()).toEqual([...events, 'media:send'].sort());
  });

  it('keeps chair actions from participants and sending from the audience', () => {
    for (const action of ['moderation:end', 'moderation:setRole', 'moderation:setMode', 'recording:start'] as const) {
      expect(isAllowed('chair', action)).toBe(true);
      expect(isAllowed('cochair', action)).toBe(false);
    }
    expect(isAllowed('cochair', 'moderation:muteAll')).toBe(true);
    expect(isAllowed('participant', 'moderation:mute')).toBe(false);
    expect(isAllowed('audience', 'media:send')).toBe(false);
    expect(isAllowed('audience', 'chat:send')).toBe(true);
    expect(isAllowed('audience', 'speak:request')).toBe(true);
  });

  it('refuses with a coded, readable forbidden', () => {
    let caught: unknown;
    try {
      authorize('participant', 'moderation:lock');
    } catch (err) {
      caught = err;
    }
    expect(caught).toBeInstanceOf(BeaconError);
    expect((caught as BeaconError).code).toBe('forbidden');
    expect((caught as BeaconError).message).toMatch(/moderation:lock/);
  });
});

describe('meeting role on join', () => {
  const join = (role: AuthClaims['role'], opts: Partial<Parameters<typeof roleOnJoin>[0]> = {}) =>
    roleOnJoin({ claims: account(role), audience: false, roomKind: 'meeting', hasChair: false, ...opts });

  it('seats the first chair account as chair, later ones as co-chairs', () => {
    expect(join('chair')).toBe('chair');
    expect(join('admin', { hasChair: true })).toBe('cochair');
    expect(join('duty_officer')).toBe('participant');
    expect(join('township')).toBe('participant');
  });

  it('makes audience on request, and townships in a training room', () => {
    expect(join('chair', { audience: true })).toBe('audience');
    expect(join('township', { roomKind: 'training' })).toBe('audience');
    expect(join('duty_officer', { roomKind: 'training' })).toBe('participant');
  });
});
