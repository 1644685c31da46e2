/**
 * Duty (值班值守) value sets without zod, for the console: shifts, duty log
 * categories, the shift handover's states. Exported by `@beacon/protocol`
 * and `@beacon/protocol/constants` alike.
 */

/** Roster days are calendar days in the deployment's time zone: `2026-12-07`. */
export const DUTY_DAY_PATTERN = /^\d{4}-(0[1-9]|1[0-2])-(0[1-9]|[12]\d|3[01])$/;
/** A roster month: `2026-12`. */
export const DUTY_MONTH_PATTERN = /^\d{4}-(0[1-9]|1[0-2])$/;
/** Wall-clock time of a shift boundary in the deployment's time zone: `08:30`. */
export const DUTY_CLOCK_PATTERN = /^([01]\d|2[0-3]):[0-5]\d$/;
/** Shift keys: lowercase letters, digits, dashes (`day`, `night`). */
export const DUTY_SHIFT_KEY_PATTERN = /^[a-z][a-z0-9-]{0,31}$/;
/** Duty officers on one shift at most. */
export const DUTY_MAX_OFFICERS = 10;

/** Who may lead a shift (带班领导): the city's leaders and staff. */
export const DUTY_LEADER_ROLES = ['chair', 'admin', 'duty_officer'] as const;
/** Who may stand a shift as duty officer (值班员). */
export const DUTY_OFFICER_ROLES = ['duty_officer', 'admin', 'chair'] as const;

/** 值班日志 categories: general note, incident, phone call, warning, handover, other. */
export const DUTY_LOG_CATEGORIES = ['general', 'incident', 'call', 'warning', 'handover', 'other'] as const;
export type DutyLogCategory = (typeof DUTY_LOG_CATEGORIES)[number];

/**
 * The shift handover (交接班):
 *
 *   draft ──(outgoing officer hands over, with notes)──> handed_over ──(incoming officer accepts)──> accepted
 *
 * A draft is assembled when the outgoing officer starts it and again when they
 * hand over (what the incoming officer signs for is the state at that moment).
 * Nothing moves back; anything else is `invalid_transition`.
 */
export const HANDOVER_STATUSES = ['draft', 'handed_over', 'accepted'] as const;
export type HandoverStatus = (typeof HANDOVER_STATUSES)[number];
export const HANDOVER_TRANSITIONS: Record<HandoverStatus, readonly HandoverStatus[]> = {
  draft: ['handed_over'],
  handed_over: ['accepted'],
  accepted: [],
};

/** Row-level codes of a refused roster import (every refused row carries one). */
export const ROSTER_IMPORT_CODES = [
  'not_xlsx',
  'no_sheet',
  'missing_column',
  'too_many_rows',
  'missing_value',
  'bad_date',
  'outside_month',
  'unknown_shift',
  'unknown_person',
  'ambiguous_person',
  'not_eligible',
  'too_many_officers',
  'duplicate_entry',
] as const;
export type RosterImportCode = (typeof ROSTER_IMPORT_CODES)[number];
