/** The value sets of meetings on a schedule (会议预约), without zod (the console bundles them). */

export const MEETING_KINDS = ['work', 'training', 'emergency_consultation'] as const;
export type MeetingKind = (typeof MEETING_KINDS)[number];

/**
 * A booking's life. The scheduler moves it; a person only cancels.
 *
 *   scheduled ──start time──> started ──end time──> ended
 *       └──cancel──> cancelled
 */
export const BOOKING_STATES = ['scheduled', 'started', 'ended', 'cancelled'] as const;
export type BookingState = (typeof BOOKING_STATES)[number];

/** Whom a notice goes to: a township's or department's terminals, a named account, a desk phone (extension). */
export const INVITEE_KINDS = ['township', 'department', 'user', 'phone'] as const;
export type InviteeKind = (typeof INVITEE_KINDS)[number];

export const RECEIPT_STATUSES = ['pending', 'delivered', 'confirmed'] as const;
export type ReceiptStatus = (typeof RECEIPT_STATUSES)[number];

/** Why a notice reached a terminal now. */
export const NOTICE_REASONS = ['new', 'changed', 'moved', 'cancelled', 'reminder', 'starting'] as const;
export type NoticeReason = (typeof NOTICE_REASONS)[number];
