import type { RosterEntryView } from '@beacon/protocol';
import { describe, expect, it } from 'vitest';
import { canEditRoster, daysOf, rosterRows, shiftMonth } from './rosterTable.ts';

const shifts = [
  { key: 'day', name: '白班', start: '08:30', end: '17:30' },
  { key: 'night', name: '夜班', start: '17:30', end: '08:30' },
];

describe('rosterTable', () => {
  it('lays out every day of the month with each shift, filled where the roster has a slot', () => {
    const entry: RosterEntryView = {
      day: '2028-02-29',
      shift: 'night',
      leader: null,
      officers: [],
      updatedAt: '',
      updatedBy: 'u-admin',
    };
    const rows = rosterRows('2028-02', shifts, [entry]);
    expect(rows).toHaveLength(29);
    expect(rows[28]).toEqual({ day: '2028-02-29', slots: { day: null, night: entry } });
    expect(daysOf('2026-12').at(-1)).toBe('2026-12-31');
  });

  it('steps months across years and lets only admins and duty officers edit', () => {
    expect(shiftMonth('2026-12', 1)).toBe('2027-01');
    expect(shiftMonth('2027-01', -1)).toBe('2026-12');
    expect([canEditRoster('admin'), canEditRoster('duty_officer'), canEditRoster('chair')]).toEqual([
      true,
      true,
      false,
    ]);
  });
});
