/**
 * BEACON_REPORT_DEADLINES: report deadlines per response level as
 * `LEVEL=FIRST/EVERY` minutes, comma-separated (`I=30/120,III=60/240`);
 * levels not named keep their defaults (ReportOptions.ts).
 */
import { RESPONSE_LEVELS, type ResponseLevel } from '@beacon/protocol';
import { z } from 'zod';
import { DEFAULT_REPORT_DEADLINES, type ReportDeadline } from './ReportOptions.ts';

const ITEM = /^(I|II|III|IV)=(\d{1,5})\/(\d{1,5})$/;

export const reportDeadlinesEnvSchema = z.string().transform((text, ctx) => {
  const deadlines: Record<ResponseLevel, ReportDeadline> = { ...DEFAULT_REPORT_DEADLINES };
  for (const item of text
    .split(',')
    .map((s) => s.trim())
    .filter(Boolean)) {
    const match = ITEM.exec(item);
    const [first, every] = [Number(match?.[2]), Number(match?.[3])];
    if (!match || first < 1 || every < 1) {
      ctx.addIssue({
        code: 'custom',
        message: `"${item}": expected LEVEL=FIRST/EVERY in minutes (≥ 1), LEVEL one of ${RESPONSE_LEVELS.join(', ')}`,
      });
      return z.NEVER;
    }
    deadlines[match[1] as ResponseLevel] = { firstWithinMinutes: first, followUpEveryMinutes: every };
  }
  return deadlines;
});
