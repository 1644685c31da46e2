import { describe, expect, it } from 'vitest';
import type { RoomAccess } from '../store/index.ts';
import { mayJoin, OPEN } from './membership.ts';

const township = (townshipId: string) => ({ role: 'township' as const, townshipId, departmentId: null });
const department = (departmentId: string) => ({ role: 'department' as const, townshipId: null, departmentId });
const staff = (['admin', 'chair', 'duty_officer'] as const).map((role) => ({
  role,
  townshipId: null,
  departmentId: null,
}));
const invited: RoomAccess = {
  membersOnly: true,
  members: [
    { kind: 'township', id: 'lucheng' },
    { kind: 'department', id: 'dp-water' },
  ],
};

describe('room membership', () => {
  it('leaves a room that is not members-only open to every account', () => {
    for (const account of [township('donggua'), department('dp-health'), ...staff]) {
      expect(mayJoin(OPEN, account)).toBe(true);
    }
  });

  it('admits the member township and department of a members-only room, and staff', () => {
    expect(mayJoin(invited, township('lucheng'))).toBe(true);
    expect(mayJoin(invited, department('dp-water'))).toBe(true);
    expect(mayJoin(invited, township('donggua'))).toBe(false);
    expect(mayJoin(invited, department('dp-health'))).toBe(false);
    // A department whose id equals a member township's is not that township.
    expect(mayJoin(invited, department('lucheng'))).toBe(false);
    expect(mayJoin(invited, { role: 'service', townshipId: null, departmentId: null })).toBe(false);
    for (const account of staff) expect(mayJoin(invited, account)).toBe(true);
  });

  it("admits a phone call's leg whatever its township: staff dialled it in, or it keyed the PIN", () => {
    expect(mayJoin(invited, { ...township('donggua'), device: 'phone' })).toBe(true);
    expect(mayJoin(invited, { role: 'service', townshipId: null, departmentId: null, device: 'phone' })).toBe(true);
  });

  it('keeps a members-only room without members (an emergency meeting for no township) to staff', () => {
    const staffOnly: RoomAccess = { membersOnly: true, members: [] };
    expect(mayJoin(staffOnly, township('lucheng'))).toBe(false);
    expect(mayJoin(staffOnly, department('dp-water'))).toBe(false);
    for (const account of staff) expect(mayJoin(staffOnly, account)).toBe(true);
  });
});
