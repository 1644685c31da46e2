/**
 * The after-action report of an incident (复盘报告): a standalone HTML page
 * (inline CSS, no scripts, prints well) with the timeline, warnings and
 * their ack statistics, the report chains (with merged duplicates), the plan responses with their checklists (done on
 * time, late, or still open), tasks, teams, and emergency meetings with
 * attendance and recordings; and the timeline as CSV (same conventions as
 * attendance.csv).
 */
import type { IncidentView, TimelineEntry } from '@beacon/protocol';
import { incidentResponseTimes } from '../evaluation/responseTimes.ts';
import { responseTimesHtml } from '../evaluation/responseTimesHtml.ts';
import { afterActionChainRows } from '../reports/afterActionChains.ts';
import type { Store } from '../store/index.ts';
import { csvField, formatCst } from './attendanceCsv.ts';

const esc = (text: string): string =>
  text.replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c] ?? c);

const table = (head: string[], rows: string[][]): string =>
  rows.length === 0
    ? '<p class="none">无 / none</p>'
    : `<table><thead><tr>${head.map((h) => `<th>${esc(h)}</th>`).join('')}</tr></thead><tbody>${rows
        .map((r) => `<tr>${r.map((c) => `<td>${esc(c)}</td>`).join('')}</tr>`)
        .join('')}</tbody></table>`;

/** Rooms the incident's emergency meetings ran in (their timeline entries name them). */
function meetingRooms(timeline: TimelineEntry[]): string[] {
  const ids = timeline
    .filter((e) => e.kind === 'meeting' && typeof e.data?.roomId === 'string')
    .map((e) => e.data?.roomId as string);
  return [...new Set(ids)];
}

/** On time, late (done after its due time), or still open (overdue or not yet due). */
export function checklistState(item: { dueAt: string; doneAt: string | null }, now = Date.now()): string {
  if (item.doneAt !== null) return Date.parse(item.doneAt) <= Date.parse(item.dueAt) ? '按时' : '超时完成';
  return Date.parse(item.dueAt) < now ? '超时未完成' : '未完成';
}

export async function reportHtml(store: Store, incident: IncidentView): Promise<string> {
  const townships = new Map((await store.townships.list()).map((t) => [t.id, t.name]));
  const departments = new Map((await store.departments.list()).map((d) => [d.id, d.name]));
  const name = (id: string | null) => (id === null ? '' : (townships.get(id) ?? id));
  const unit = (row: { townshipId: string | null; departmentId: string | null }) =>
    row.townshipId !== null
      ? name(row.townshipId)
      : (departments.get(row.departmentId ?? '') ?? row.departmentId ?? '');
  const entries = await store.incidents.timeline(incident.id);
  const timeline = entries.map((e) => [
    formatCst(e.at),
    e.actorName,
    e.kind,
    e.text + (e.hasSnapshot ? ' [图片]' : ''),
  ]);
  const warnings: string[][] = [];
  for (const w of (await store.warnings.list()).filter((w) => w.incidentId === incident.id)) {
    const board = await store.warnings.board(w.id);
    const acked = board.filter((r) => r.ackedAt !== null).length;
    const pending = board.filter((r) => r.ackedAt === null).map((r) => name(r.townshipId));
    warnings.push([
      w.headline,
      w.colour,
      w.status,
      formatCst(w.issuedAt),
      `${acked}/${board.length}`,
      pending.join('、'),
    ]);
  }
  const tasks = (await store.tasks.list({ incidentId: incident.id })).map((t) => [
    unit(t),
    t.text,
    t.status,
    formatCst(t.deadline),
    formatCst(t.doneAt),
    t.note ?? '',
  ]);
  const checklist = (await store.plans.responses(incident.id)).flatMap((r) =>
    r.checklist.map((item) => [
      `${r.level}级 · ${r.planTitle} v${r.planVersion}${r.endedAt ? '（已切换）' : ''}`,
      item.text,
      item.unitName,
      formatCst(item.dueAt),
      item.doneAt === null ? '' : `${formatCst(item.doneAt)} ${item.doneByName ?? ''}`.trim(),
      checklistState(item),
    ]),
  );
  const teams = (await store.resources.teams.dispatches(incident.id)).map((d) => [
    d.teamName,
    formatCst(d.dispatchedAt),
    d.returnedAt === null ? '未返回' : formatCst(d.returnedAt),
  ]);
  const meetings: string[][] = [];
  for (const roomId of meetingRooms(entries)) {
    const room = await store.rooms.get(roomId);
    const recordings = await store.recordings.listByRoom(roomId);
    for (const m of await store.meetings.listByRoom(roomId)) {
      const attendance = await store.attendance.listByMeeting(m.id);
      meetings.push([
        room?.title ?? roomId,
        formatCst(m.startedAt),
        formatCst(m.endedAt),
        attendance.map((a) => `${a.displayName} ${a.totalMinutes}′`).join('、'),
        recordings
          .filter((r) => r.meetingId === m.id)
          .map((r) => `${r.id} (${r.status})`)
          .join('、'),
      ]);
    }
  }
  return `<!doctype html>
<html lang="zh-CN"><head><meta charset="utf-8"><title>${esc(incident.title)} — 复盘报告</title>
<style>body{font-family:sans-serif;margin:2em;color:#222}table{border-collapse:collapse;width:100%;margin-bottom:1.5em}
th,td{border:1px solid #bbb;padding:4px 8px;text-align:left;vertical-align:top}th{background:#eee}.none{color:#777}</style>
</head><body>
<h1>${esc(incident.title)}</h1>
<p>类型 ${esc(incident.type)} · 响应级别 ${esc(incident.level)} · 状态 ${esc(incident.status)} · 乡镇 ${esc(name(incident.townshipId))}
 · 上报 ${esc(formatCst(incident.createdAt))}${incident.reporter ? ` · 报告人 ${esc(incident.reporter)}` : ''}</p>
<p>${esc(incident.description)}</p>
<h2>时间线 / Timeline</h2>${table(['时间', '人员', '类别', '内容'], timeline)}
<h2>信息报送 / Reports</h2>${table(['单位', '类别', '时间', '报送人', '内容'], await afterActionChainRows(store, incident.id, formatCst))}
<h2>预警 / Warnings</h2>${table(['标题', '颜色', '状态', '发布', '签收', '未签收'], warnings)}
<h2>预案响应 / Plan checklist</h2>${table(['响应', '事项', '负责单位', '时限', '完成', '情况'], checklist)}
<h2>任务 / Tasks</h2>${table(['乡镇/部门', '任务', '状态', '期限', '完成', '备注'], tasks)}
<h2>出动队伍 / Teams dispatched</h2>${table(['队伍', '出动', '返回'], teams)}
<h2>会商 / Meetings</h2>${table(['会议', '开始', '结束', '参会', '录像'], meetings)}
${responseTimesHtml(await incidentResponseTimes(store, incident), table, formatCst)}
<p class="none">生成于 ${esc(formatCst(new Date().toISOString()))}</p>
</body></html>
`;
}

/** The timeline as CSV: UTF-8 BOM, CRLF, China Standard Time. */
export async function reportCsv(store: Store, incident: IncidentView): Promise<string> {
  const lines = [['时间', '人员', '类别', '内容'].map(csvField).join(',')];
  for (const e of await store.incidents.timeline(incident.id)) {
    lines.push([formatCst(e.at), e.actorName, e.kind, e.text].map(csvField).join(','));
  }
  return `\uFEFF${lines.join('\r\n')}\r\n`;
}
