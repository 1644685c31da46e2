/** The command room's evaluation strings (the reference language; en.ts is typed by it). */
const zhCN = {
  evaluation: {
    title: '响应时效',
    hint: '所选时段内每起事件各环节用时的中位数（分钟）；各单位明细见事件的事后报告。',
    period: '时段',
    days: '近 {n} 天',
    from: '自',
    to: '至',
    load: '查询',
    none: '该时段没有事件',
    minutes: '分钟',
    incidents: '{n} 起事件',
    metric: {
      occurrence_to_report: '发生→首报',
      report_to_verified: '上报→核实',
      verified_to_response: '核实→启动响应',
      warning_to_ack: '预警→签收',
      task_to_ack: '任务→签收',
      ack_to_done: '签收→完成',
    },
  },
};

export type EvaluationMessages = typeof zhCN;
export default zhCN;
