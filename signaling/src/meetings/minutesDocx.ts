/**
 * The minutes (会议纪要) as a Word document, built with `docx` (a maintained
 * OOXML writer; offices open, edit and print .docx): title, the meeting's
 * facts, attendance against the invitation, decisions, action items with
 * owner and due date, the free text. Times are written in the offices' zone
 * (UTC+8). The PDF is this document converted by LibreOffice
 * (DocumentConverter), so both say the same.
 */
import type { AttendanceStatus } from '@beacon/protocol';
import {
  AlignmentType,
  Document,
  HeadingLevel,
  Packer,
  Paragraph,
  Table,
  TableCell,
  TableRow,
  TextRun,
  WidthType,
} from 'docx';
import type { MinutesDocument } from './MinutesDesk.ts';

/** Chinese offices' body font; LibreOffice substitutes an installed CJK font when it is missing. */
const FONT = { ascii: 'Times New Roman', hAnsi: 'Times New Roman', eastAsia: 'SimSun', cs: 'Times New Roman' };

const STATUS: Record<AttendanceStatus, string> = {
  present: '出席',
  late: '迟到',
  left_early: '早退',
  absent: '缺席',
};
const KIND: Record<string, string> = { work: '工作会议', training: '培训', emergency_consultation: '应急会商' };
const INVITEE: Record<string, string> = { township: '乡镇', department: '部门', user: '人员', phone: '电话' };

/** "2030年3月4日 09:30" in UTC+8 (no daylight saving). */
export function chinaTime(iso: string | null): string {
  if (!iso) return '';
  const t = new Date(Date.parse(iso) + 8 * 3_600_000);
  const hh = String(t.getUTCHours()).padStart(2, '0');
  const mm = String(t.getUTCMinutes()).padStart(2, '0');
  return `${t.getUTCFullYear()}年${t.getUTCMonth() + 1}月${t.getUTCDate()}日 ${hh}:${mm}`;
}

const cell = (text: string, bold = false) =>
  new TableCell({ children: [new Paragraph({ children: [new TextRun({ text, bold })] })] });

function table(head: string[], rows: string[][]): Table {
  return new Table({
    width: { size: 100, type: WidthType.PERCENTAGE },
    rows: [
      new TableRow({ tableHeader: true, children: head.map((h) => cell(h, true)) }),
      ...rows.map((r) => new TableRow({ children: r.map((c) => cell(c)) })),
    ],
  });
}

const heading = (text: string) => new Paragraph({ heading: HeadingLevel.HEADING_2, children: [new TextRun(text)] });
const para = (text: string) => new Paragraph({ children: [new TextRun(text)] });

export function minutesDocx({ booking, minutes, attendance }: MinutesDocument): Promise<Buffer> {
  const facts = [
    `会议类型：${KIND[booking.kind] ?? booking.kind}`,
    `时间：${chinaTime(booking.startsAt)} 至 ${chinaTime(booking.endsAt)}`,
    `会场：${booking.roomTitle}`,
    `主持人：${booking.chairName}`,
  ];
  const absent = attendance.filter((a) => a.status === 'absent').map((a) => a.name);
  const doc = new Document({
    creator: 'Beacon',
    title: `${booking.title} 会议纪要`,
    styles: { default: { document: { run: { font: FONT, size: 24 } } } },
    sections: [
      {
        children: [
          new Paragraph({
            heading: HeadingLevel.TITLE,
            alignment: AlignmentType.CENTER,
            children: [new TextRun({ text: `${booking.title} 会议纪要`, bold: true })],
          }),
          ...facts.map(para),
          heading('一、出席情况'),
          table(
            ['参会方', '情况', '入会时间', '离会时间', '回执参会人员'],
            attendance.map((a) => [
              `${INVITEE[a.kind] ?? a.kind}·${a.name}`,
              STATUS[a.status],
              chinaTime(a.firstJoinedAt),
              chinaTime(a.lastLeftAt),
              a.attendees.join('、'),
            ]),
          ),
          para(absent.length ? `缺席：${absent.join('、')}` : '应到单位全部出席。'),
          heading('二、会议决定'),
          ...(minutes.decisions.length ? minutes.decisions.map((d, i) => para(`${i + 1}. ${d}`)) : [para('无')]),
          heading('三、待办事项'),
          minutes.actions.length
            ? table(
                ['序号', '事项', '责任单位', '完成时限', '调度任务'],
                minutes.actions.map((a, i) => [
                  String(i + 1),
                  a.text,
                  a.owner.name,
                  chinaTime(a.due),
                  a.taskId ? '已下发' : '未下发',
                ]),
              )
            : para('无'),
          heading('四、会议记录'),
          ...(minutes.text.trim() ? minutes.text.split(/\r?\n/).map(para) : [para('无')]),
          new Paragraph({
            alignment: AlignmentType.RIGHT,
            children: [
              new TextRun(
                `记录：${minutes.updatedByName ?? ''}　${minutes.updatedAt ? chinaTime(minutes.updatedAt) : ''}`,
              ),
            ],
          }),
        ],
      },
    ],
  });
  return Packer.toBuffer(doc);
}
