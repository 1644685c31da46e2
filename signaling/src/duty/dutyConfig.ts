/**
 * The duty settings as environment variables (config.ts lists them):
 * BEACON_DUTY_SHIFTS `key=名称@HH:MM-HH:MM`, comma-separated, in the day's
 * order (`day=白班@08:30-17:30,night=夜班@17:30-08:30`), and
 * BEACON_DUTY_TIMEZONE, an IANA zone.
 */
import { type DutyShift, dutyShiftSchema } from '@beacon/protocol';
import { z } from 'zod';
import { isTimeZone } from './dutyClock.ts';

const SHIFT_TEXT = /^([^=]+)=([^@]+)@([^-]+)-(.+)$/;

export const dutyShiftsEnvSchema = z
  .string()
  .transform((value, ctx): DutyShift[] => {
    const shifts: DutyShift[] = [];
    for (const [index, text] of value.split(',').entries()) {
      const match = SHIFT_TEXT.exec(text.trim());
      const parsed = match
        ? dutyShiftSchema.safeParse({
            key: match[1]?.trim(),
            name: match[2]?.trim(),
            start: match[3]?.trim(),
            end: match[4]?.trim(),
          })
        : undefined;
      if (!parsed?.success) {
        ctx.addIssue({ code: 'custom', message: `shift ${index + 1}: expected key=名称@HH:MM-HH:MM, got "${text}"` });
        return z.NEVER;
      }
      shifts.push(parsed.data);
    }
    if (new Set(shifts.map((s) => s.key)).size !== shifts.length) {
      ctx.addIssue({ code: 'custom', message: 'shift keys must differ' });
      return z.NEVER;
    }
    return shifts;
  })
  .pipe(z.array(dutyShiftSchema).min(1).max(6));

export const timeZoneSchema = z.string().trim().refine(isTimeZone, 'an IANA time zone such as Asia/Shanghai');
