import type { EvaluationMessages } from './zh-CN.ts';

const en: EvaluationMessages = {
  evaluation: {
    title: 'Response times',
    hint: 'The median time of each step per incident in the period (minutes); per unit on the incident’s after-action report.',
    period: 'Period',
    days: 'Last {n} days',
    from: 'From',
    to: 'To',
    load: 'Show',
    none: 'No incidents in this period',
    minutes: 'min',
    incidents: '{n} incidents',
    metric: {
      occurrence_to_report: 'Event → first report',
      report_to_verified: 'Report → verified',
      verified_to_response: 'Verified → response',
      warning_to_ack: 'Warning → ack',
      task_to_ack: 'Task → ack',
      ack_to_done: 'Ack → done',
    },
  },
};

export default en;
