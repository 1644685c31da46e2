/** Types of the SMS channel's repository (store/smsRecords.ts). */
import type { SmsRecipientView, SmsRole, WarningView } from '@beacon/protocol';

export interface NewSmsRecipient {
  id: string;
  townshipId: string | null;
  departmentId: string | null;
  villageId: string | null;
  userId: string | null;
  role: SmsRole;
  name: string;
  mobile: string;
}

export interface SmsRecipientWithWarning {
  recipient: SmsRecipientView;
  warning: WarningView;
}

/**
 * One method per move of smsState.ts: each is one conditional UPDATE, and
 * answers the row after it, or undefined when the move did not apply (wrong
 * state, an older attempt's report, another node first).
 */
export interface SmsRepository {
  /**
   * Adds the recipients not on the warning yet (one per number: the first kept), queued as their first attempt
   * (attempt 1): one transaction for a whole township's contacts, not a commit each. Returns all of the warning's.
   */
  add(warningId: string, recipients: readonly NewSmsRecipient[], at: string): Promise<SmsRecipientView[]>;
  list(warningId: string): Promise<SmsRecipientView[]>;
  get(id: string): Promise<SmsRecipientView | undefined>;
  /** attempt + 1 (and the attempts of this notification + 1), queued; undefined once acked. */
  beginAttempt(id: string, at: string): Promise<SmsRecipientView | undefined>;
  submitted(id: string, attempt: number, parts: number, at: string): Promise<SmsRecipientView | undefined>;
  delivered(id: string, attempt: number, at: string): Promise<SmsRecipientView | undefined>;
  failed(id: string, attempt: number, reason: string, at: string): Promise<SmsRecipientView | undefined>;
  /** The reply that acknowledged. Undefined when acked already. */
  acked(id: string, reply: string, at: string): Promise<SmsRecipientView | undefined>;
  /** Keeps a reply that was no acknowledgement (the duty officer reads it). */
  replied(id: string, reply: string): Promise<SmsRecipientView | undefined>;
  /** Unacked recipients with this number, of issued unexpired warnings, the most recently texted first. */
  openFor(mobile: string, now: string): Promise<SmsRecipientWithWarning[]>;
  /** Unacked recipients of issued unexpired warnings with escalation on. */
  unackedEscalating(now: string): Promise<SmsRecipientWithWarning[]>;
  /** Queued recipients of issued unexpired warnings (texts a stopped node did not get to send). */
  queued(now: string): Promise<SmsRecipientWithWarning[]>;
  /**
   * notify_count + 1, last_notified_at = at, this notification's attempts back to 0 — only while unacked
   * and last notified at `previous` (compare-and-set: one node re-sends).
   */
  renotify(id: string, at: string, previous: string): Promise<SmsRecipientView | undefined>;
}
