/** The steps of the response-time figures (总结评估), without zod: the console charts them too. */

/**
 * The measured steps, each from → to:
 * - `occurrence_to_report`: the event happened (as reported) → the unit's first report (首报) arrived;
 * - `report_to_verified`: a report arrived → the duty desk verified it (核实);
 * - `verified_to_response`: the incident verified → response started (status 响应中);
 * - `warning_to_ack`: a warning issued → each addressee acknowledged (per channel);
 * - `task_to_ack`, `ack_to_done`: a task sent → acknowledged → reported done.
 */
export const RESPONSE_METRICS = [
  'occurrence_to_report',
  'report_to_verified',
  'verified_to_response',
  'warning_to_ack',
  'task_to_ack',
  'ack_to_done',
] as const;
export type ResponseMetric = (typeof RESPONSE_METRICS)[number];
