/**
 * Warnings by SMS (短信): who is texted for a warning and how far each text
 * got. One recipient per warning and mobile number: a village's contact or a
 * warned unit's own staff (township leaders, a department's staff).
 */

/**
 * Where one recipient's text is. `acked` is final: the recipient replied 1 or 收到.
 *
 * ```
 *   queued ──Kannel took it──> submitted ──delivery report: delivered──> delivered
 *     │  ^                        │                                        │
 *     │  └──── retry / re-send ───┴── refused, delivery report: failed ──> failed
 *     └──────────────────────── (any but acked) ──reply 1 / 收到──> acked
 * ```
 */
export const SMS_STATES = ['queued', 'submitted', 'delivered', 'failed', 'acked'] as const;
export type SmsState = (typeof SMS_STATES)[number];

/** Why the number is texted: a village's contact (村/社区联系人) or a staff member of the warned unit. */
export const SMS_ROLES = ['village', 'staff'] as const;
export type SmsRole = (typeof SMS_ROLES)[number];

export interface SmsRecipientView {
  id: string;
  warningId: string;
  /** The ack board line it belongs to: exactly one of the two is set. */
  townshipId: string | null;
  departmentId: string | null;
  /** Set for a village's contact. */
  villageId: string | null;
  /** Set for a unit's staff member (a township leader). */
  userId: string | null;
  role: SmsRole;
  /** Contact or account name, with the village's name for a village contact. */
  name: string;
  /** 11-digit mainland mobile number. */
  mobile: string;
  state: SmsState;
  /** 1 = the first text; more = escalations that texted again. */
  notifyCount: number;
  /** When the current notification began (escalation counts from here). */
  lastNotifiedAt: string;
  /** Attempts of the current notification (1 + its retries so far). */
  notifyAttempts: number;
  /** Submissions so far, retries included (delivery reports of older ones are ignored). */
  attempt: number;
  /** SMS parts of the last text (UCS-2: 70 characters alone, 67 per part when concatenated). */
  parts: number;
  lastSentAt: string | null;
  submittedAt: string | null;
  deliveredAt: string | null;
  failedAt: string | null;
  /** Why the last attempt failed (Kannel's answer or the delivery report). */
  failure: string | null;
  ackedAt: string | null;
  /** The last reply that was not an acknowledgement (shown to the duty officer), or the acknowledging one. */
  reply: string | null;
}

/** Counts per state of one ack board line's recipients. */
export type SmsLineSummary = Record<SmsState, number> & { total: number };

export function smsLineSummary(recipients: readonly Pick<SmsRecipientView, 'state'>[]): SmsLineSummary {
  const summary: SmsLineSummary = { total: 0, queued: 0, submitted: 0, delivered: 0, failed: 0, acked: 0 };
  for (const r of recipients) {
    summary[r.state] += 1;
    summary.total += 1;
  }
  return summary;
}

export interface SmsServerEvents {
  /** To staff sockets: an SMS recipient of a warning changed (queued, submitted, delivered, failed, acked). */
  'sms:updated': (recipient: SmsRecipientView) => void;
}
