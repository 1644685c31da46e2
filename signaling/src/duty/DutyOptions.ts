/** How duty is organised in this deployment. */
import type { DutyShift } from '@beacon/protocol';

export interface DutyOptions {
  /**
   * The day's shifts, in order (config BEACON_DUTY_SHIFTS). Default: 白班 08:30–17:30 and
   * 夜班 17:30–08:30 the next day. A shift whose end is at or before its start ends the next day.
   */
  shifts: readonly DutyShift[];
  /**
   * IANA time zone of roster days and shift times (config BEACON_DUTY_TIMEZONE). Default
   * Asia/Shanghai: a Chinese duty desk keeps Beijing time whatever the server's own zone.
   */
  timeZone: string;
}

export const DEFAULT_DUTY_SHIFTS: readonly DutyShift[] = [
  { key: 'day', name: '白班', start: '08:30', end: '17:30' },
  { key: 'night', name: '夜班', start: '17:30', end: '08:30' },
];

export const DEFAULT_DUTY_OPTIONS: DutyOptions = { shifts: DEFAULT_DUTY_SHIFTS, timeZone: 'Asia/Shanghai' };
