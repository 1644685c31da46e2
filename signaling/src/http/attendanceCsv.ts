/**
 * Attendance (签到) as CSV for Excel: UTF-8 with a BOM (so Excel shows the
 * Chinese), CRLF lines, one row per user. A user who left and came back has
 * every interval in the time columns, joined with "; "; 时长 is the minutes
 * present (overlapping intervals, e.g. two devices, counted once). Times are
 * China Standard Time, "YYYY-MM-DD HH:MM:SS".
 */
import type { AttendanceRow } from '@beacon/protocol';

const HEADER = ['姓名', '乡镇', '入会时间', '离会时间', '时长(分钟)'];

const cst = new Intl.DateTimeFormat('sv-SE', {
  timeZone: 'Asia/Shanghai',
  year: 'numeric',
  month: '2-digit',
  day: '2-digit',
  hour: '2-digit',
  minute: '2-digit',
  second: '2-digit',
  hour12: false,
});

export function formatCst(iso: string | null): string {
  return iso === null ? '' : cst.format(new Date(iso));
}

/** Quotes when needed; a leading = + - @ is defused so Excel does not run it as a formula. */
export function csvField(value: string | number): string {
  let text = String(value);
  if (typeof value === 'string' && /^[=+\-@\t\r]/.test(text)) text = `'${text}`;
  return /[",\r\n]/.test(text) ? `"${text.replaceAll('"', '""')}"` : text;
}

export function attendanceCsv(rows: AttendanceRow[], townshipNames: ReadonlyMap<string, string>): string {
  const lines = [HEADER.join(',')];
  for (const row of rows) {
    const township = row.townshipId === null ? '' : (townshipNames.get(row.townshipId) ?? row.townshipId);
    lines.push(
      [
        row.displayName,
        township,
        row.intervals.map((i) => formatCst(i.joinedAt)).join('; '),
        row.intervals.map((i) => formatCst(i.leftAt)).join('; '),
        row.totalMinutes,
      ]
        .map(csvField)
        .join(','),
    );
  }
  return `\uFEFF${lines.join('\r\n')}\r\n`;
}
