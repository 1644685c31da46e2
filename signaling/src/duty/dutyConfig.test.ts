/** BEACON_DUTY_SHIFTS and BEACON_DUTY_TIMEZONE: defaults, a custom day, and refusals that name the fault. */
import { describe, expect, it } from 'vitest';
import { configSchema } from '../config.ts';

describe('duty configuration', () => {
  it('defaults to 白班 08:30–17:30 and 夜班 17:30–08:30 in Asia/Shanghai', () => {
    const config = configSchema.parse({});
    expect(config.duty.timeZone).toBe('Asia/Shanghai');
    expect(config.duty.shifts.map((s) => `${s.key}=${s.name}@${s.start}-${s.end}`)).toEqual([
      'day=白班@08:30-17:30',
      'night=夜班@17:30-08:30',
    ]);
  });

  it('reads three shifts and another zone', () => {
    const config = configSchema.parse({
      BEACON_DUTY_SHIFTS: 'a=早班@08:00-16:00, b=中班@16:00-00:00,c=夜班@00:00-08:00',
      BEACON_DUTY_TIMEZONE: 'Asia/Urumqi',
    });
    expect(config.duty.shifts.map((s) => s.key)).toEqual(['a', 'b', 'c']);
    expect(config.duty.timeZone).toBe('Asia/Urumqi');
  });

  it('refuses a malformed shift, a repeated key or an unknown zone', () => {
    for (const env of [
      { BEACON_DUTY_SHIFTS: 'day=白班@8:30-17:30' },
      { BEACON_DUTY_SHIFTS: 'day=白班@08:30-17:30,day=夜班@17:30-08:30' },
      { BEACON_DUTY_SHIFTS: '' },
      { BEACON_DUTY_TIMEZONE: 'Beijing' },
    ]) {
      expect(configSchema.safeParse(env).success, JSON.stringify(env)).toBe(false);
    }
  });
});
