import { describe, expect, it } from 'vitest';
import { minutesPresent } from '../store/meetingRecords.ts';
import { attendanceCsv, csvField, formatCst } from './attendanceCsv.ts';

describe('attendance CSV', () => {
  it('starts with a BOM and the Chinese header, one CRLF row per user', () => {
    const csv = attendanceCsv(
      [
        {
          userId: 'u-lucheng',
          displayName: '鹿城镇',
          townshipId: 'lucheng',
          intervals: [
            { joinedAt: '2026-03-01T01:00:00Z', leftAt: '2026-03-01T01:10:00Z' },
            { joinedAt: '2026-03-01T01:20:00Z', leftAt: null },
          ],
          totalMinutes: 25,
        },
      ],
      new Map([['lucheng', '鹿城镇']]),
    );
    expect(csv.startsWith('\uFEFF姓名,乡镇,入会时间,离会时间,时长(分钟)\r\n')).toBe(true);
    expect(csv).toContain('鹿城镇,鹿城镇,2026-03-01 09:00:00; 2026-03-01 09:20:00,2026-03-01 09:10:00; ,25\r\n');
  });

  it('quotes separators and defuses formulas', () => {
    expect(csvField('a,b')).toBe('"a,b"');
    expect(csvField('say "hi"')).toBe('"say ""hi"""');
    expect(csvField('=HYPERLINK("x")')).toBe(`"'=HYPERLINK(""x"")"`);
    expect(csvField(12.5)).toBe('12.5');
    expect(formatCst(null)).toBe('');
  });

  it('counts overlapping intervals once', () => {
    const at = new Date('2026-03-01T02:00:00Z');
    expect(
      minutesPresent(
        [
          { joinedAt: '2026-03-01T01:00:00Z', leftAt: '2026-03-01T01:30:00Z' },
          { joinedAt: '2026-03-01T01:10:00Z', leftAt: '2026-03-01T01:20:00Z' },
          { joinedAt: '2026-03-01T01:50:00Z', leftAt: null },
        ],
        at,
      ),
    ).toBe(40);
  });
});
