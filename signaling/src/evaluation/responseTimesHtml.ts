/**
 * The response-time section of the after-action report: the summary per
 * step (median, longest, open), then every step per township and department.
 */
import type { IncidentResponseTimes, ResponseMetric } from '@beacon/protocol';

export const METRIC_LABELS: Record<ResponseMetric, string> = {
  occurrence_to_report: '发生 → 首报',
  report_to_verified: '上报 → 核实',
  verified_to_response: '核实 → 启动响应',
  warning_to_ack: '预警发布 → 签收',
  task_to_ack: '任务下达 → 签收',
  ack_to_done: '任务签收 → 完成',
};

const CHANNELS: Record<string, string> = { terminal: '终端', phone: '电话', console: '控制台' };

const minutes = (value: number | null): string => (value === null ? '—' : `${value} 分钟`);

/** `table`: the report's own table builder (it escapes every cell). */
export function responseTimesHtml(
  figures: IncidentResponseTimes,
  table: (head: string[], rows: string[][]) => string,
  formatTime: (iso: string | null) => string,
): string {
  const summary = figures.summary
    .filter((s) => s.count + s.pending > 0)
    .map((s) => [
      METRIC_LABELS[s.metric],
      String(s.count),
      String(s.pending),
      minutes(s.medianMinutes),
      minutes(s.maxMinutes),
    ]);
  const steps = figures.intervals.map((i) => [
    METRIC_LABELS[i.metric],
    i.unitName ?? '（事件）',
    i.channel ? (CHANNELS[i.channel] ?? i.channel) : '',
    formatTime(i.from),
    i.to === null ? '未完成' : formatTime(i.to),
    minutes(i.minutes),
  ]);
  return `<h2>响应时效 / Response times</h2>${table(['环节', '已完成', '未完成', '中位数', '最长'], summary)}
<h3>各单位 / Per unit</h3>${table(['环节', '单位', '渠道', '开始', '结束', '用时'], steps)}`;
}
