import { BeaconError, clientEventSchemas, commandEventSchemas, dutyCallEventSchemas } from '@beacon/protocol';
import { describe, expect, it } from 'vitest';
import type { AuthClaims } from '../auth/tokens.ts';
import {
  ACCOUNT_PERMISSIONS,
  type AccountAction,
  accountMay,
  authorize,
  isAllowed,
  PERMISSIONS,
  requireAccount,
  roleOnJoin,
} from './permissions.ts';

const account = (role: AuthClaims['role']): AuthClaims => ({
  userId: `u-${role}`,
  username: role,
  displayName: role,
  role,
  townshipId: role === 'township' ? 'lucheng' : null,
});

describe('permission table', () => {
  it("covers every client event except the role-less ones, the gateway's sip:*, the command room's and the duty number's", () => {
    const events = Object.keys(clientEventSchemas).filter(
      (e) =>
        !['room:join', 'room:resume', 'room:leave', 'auth:renew'].includes(e) &&
        !e.startsWith('sip:') &&
        !(e in commandEventSchemas) &&
        !(e in dutyCallEventSchemas),
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

describe('the department role', () => {
  const join = (role: AuthClaims['role'], opts: Partial<Parameters<typeof roleOnJoin>[0]> = {}) =>
    roleOnJoin({ claims: account(role), audience: false, roomKind: 'meeting', hasChair: false, ...opts });

  it('joins meetings like a township: participant, audience in training rooms, never chair', () => {
    expect(join('department')).toBe('participant');
    expect(join('department', { roomKind: 'training' })).toBe('audience');
    expect(join('department', { roomKind: 'emergency' })).toBe('participant');
  });

  it('gets nothing of the city side and no more than a township account', () => {
    for (const action of Object.keys(ACCOUNT_PERMISSIONS) as AccountAction[]) {
      expect({ action, may: accountMay('department', action) }).toEqual({ action, may: false });
      expect({ action, may: accountMay('department', action) }).toEqual({
        action,
        may: accountMay('township', action),
      });
    }
    expect(() => requireAccount({ role: 'department' }, 'org:administer')).toThrow(BeaconError);
    expect(() => requireAccount({ role: 'admin' }, 'org:administer')).not.toThrow();
  });

  it('keeps administering the organisation to admins alone', () => {
    const roles: AuthClaims['role'][] = ['admin', 'chair', 'duty_officer', 'township', 'department', 'service'];
    expect(roles.filter((role) => accountMay(role, 'org:administer'))).toEqual(['admin']);
  });
});
