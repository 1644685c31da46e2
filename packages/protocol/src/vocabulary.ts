/**
 * The protocol's value sets and patterns as plain constants. The zod schemas
 * are built from these, and clients that must not bundle zod (the console)
 * import them through `@beacon/protocol/constants`: one list, no copies.
 * No imports: keep this file free of zod and of Node.
 */

// ---- incidents ---------------------------------------------------------------

export const INCIDENT_TYPES = [
  'flood',
  'landslide',
  'forest_fire',
  'earthquake',
  'heavy_rain',
  'road_blocked',
  'other',
] as const;
export type IncidentType = (typeof INCIDENT_TYPES)[number];

/** 响应级别: I 特别重大, II 重大, III 较大, IV 一般. */
export const RESPONSE_LEVELS = ['I', 'II', 'III', 'IV'] as const;
export type ResponseLevel = (typeof RESPONSE_LEVELS)[number];

export const INCIDENT_STATUSES = ['reported', 'verified', 'responding', 'resolved', 'closed'] as const;
export type IncidentStatus = (typeof INCIDENT_STATUSES)[number];

/**
 * Status workflow. A false report may be closed straight from `reported` or
 * `verified`; a resolved incident may flare up again (`responding`). Anything
 * else is refused with `invalid_transition`.
 *
 *   reported ─> verified ─> responding ─> resolved ─> closed
 *       └──────────┴──────────────────────────┘ ^        │
 *                 (closed)             responding <──────┘ (flare-up from resolved)
 */
export const INCIDENT_TRANSITIONS: Record<IncidentStatus, readonly IncidentStatus[]> = {
  reported: ['verified', 'closed'],
  verified: ['responding', 'closed'],
  responding: ['resolved'],
  resolved: ['closed', 'responding'],
  closed: [],
};

// ---- warnings (CAP 1.2) ----------------------------------------------------------

export const WARNING_COLOURS = ['red', 'orange', 'yellow', 'blue'] as const;
export type WarningColour = (typeof WARNING_COLOURS)[number];

/** CAP 1.2 value sets. */
export const CAP_URGENCIES = ['Immediate', 'Expected', 'Future', 'Past', 'Unknown'] as const;
export type CapUrgency = (typeof CAP_URGENCIES)[number];
export const CAP_SEVERITIES = ['Extreme', 'Severe', 'Moderate', 'Minor', 'Unknown'] as const;
export type CapSeverity = (typeof CAP_SEVERITIES)[number];
export const CAP_CERTAINTIES = ['Observed', 'Likely', 'Possible', 'Unlikely', 'Unknown'] as const;
export type CapCertainty = (typeof CAP_CERTAINTIES)[number];

export const WARNING_STATUSES = ['draft', 'issued', 'cancelled'] as const;
export type WarningStatus = (typeof WARNING_STATUSES)[number];
/** What a draft from outside may lack before it can be issued. */
export const WARNING_NEEDS = ['expires', 'area'] as const;
export type WarningNeed = (typeof WARNING_NEEDS)[number];

// ---- tasks ---------------------------------------------------------------------------

export const TASK_STATUSES = ['sent', 'acknowledged', 'done'] as const;
export type TaskStatus = (typeof TASK_STATUSES)[number];

// ---- rooms and meetings --------------------------------------------------------------

/** Room ids: lowercase letters, digits and dashes, starting with a letter or digit (at most 64). */
export const ROOM_ID_PATTERN = /^[a-z0-9][a-z0-9-]*$/;
export const ROOM_ID_MAX_LENGTH = 64;

export const ROOM_KINDS = ['meeting', 'training', 'emergency'] as const;
export type RoomKind = (typeof ROOM_KINDS)[number];

export const MEDIA_SOURCES = ['mic', 'camera', 'screen'] as const;
export type MediaSource = (typeof MEDIA_SOURCES)[number];

/** A participant's role inside one meeting (not the account role). */
export const MEETING_ROLES = ['chair', 'cochair', 'participant', 'audience'] as const;
export type MeetingRole = (typeof MEETING_ROLES)[number];

export const MEETING_MODES = ['meeting', 'broadcast'] as const;
export type MeetingMode = (typeof MEETING_MODES)[number];

// ---- phones ------------------------------------------------------------------------------

/** Phone extensions and conference numbers: digits only, 2–16 of them. */
export const DIAL_NUMBER_PATTERN = /^[0-9]{2,16}$/;

/** What the console shows for a phone participant. */
export const PHONE_CALL_STATES = ['ringing', 'connected', 'held', 'ending'] as const;
export type PhoneCallState = (typeof PHONE_CALL_STATES)[number];

/** Outcome and progress of a dial-out, as shown live to the one who dialled. */
export const DIAL_STATES = ['dialling', 'ringing', 'answered', 'busy', 'no_answer', 'failed', 'ended'] as const;
export type DialState = (typeof DIAL_STATES)[number];

/** Who started a call through the SIP gateway: a phone dialling in, a dial-out from a console, an alert call. */
export const SIP_CALL_DIRECTIONS = ['in', 'out', 'alert'] as const;
export type SipCallDirection = (typeof SIP_CALL_DIRECTIONS)[number];

/**
 * How a call through the gateway turned out, counted once per call for metrics:
 * answered (dial-out/alert: the phone picked up; dial-in: the caller got into the room),
 * busy, no_answer, rejected_pin (dial-in: every PIN try wrong), unknown_number (dial-in:
 * refused before answering), hung_up (dial-in: the caller left before entering), failed.
 */
export const SIP_CALL_OUTCOMES = [
  'answered',
  'busy',
  'no_answer',
  'rejected_pin',
  'unknown_number',
  'hung_up',
  'failed',
] as const;
export type SipCallOutcome = (typeof SIP_CALL_OUTCOMES)[number];

// ---- accounts and the organisation ---------------------------------------------------

/**
 * Account roles. `township` and `department` accounts each speak for one unit
 * (users.township_id / users.department_id); `service` is the SIP gateway.
 */
export const ACCOUNT_ROLES = ['admin', 'chair', 'duty_officer', 'township', 'department', 'service'] as const;
export type AccountRole = (typeof ACCOUNT_ROLES)[number];
/** Roles an administrator may give a person (`service` belongs to the gateway). */
export const PERSON_ROLES = ['admin', 'chair', 'duty_officer', 'township', 'department'] as const;

/** 镇 town, 乡 township, 街道 subdistrict: the units below the deployment's area. */
export const TOWNSHIP_KINDS = ['town', 'township', 'subdistrict'] as const;
export type TownshipKind = (typeof TOWNSHIP_KINDS)[number];

/** 村 village, 社区 community: the units below a township. */
export const VILLAGE_KINDS = ['village', 'community'] as const;
export type VillageKind = (typeof VILLAGE_KINDS)[number];

/**
 * What an admin may register: browser video terminals, desk phones, hardware SIP video terminals
 * (`sip_video`: H.264 + G.711/G.722, registered to Kamailio with an extension like a desk phone) and
 * village emergency loudspeakers (`loudspeaker`, 应急广播: a SIP endpoint with auto-answer, assigned to a village).
 */
export const TERMINAL_KINDS = ['video', 'sip_phone', 'sip_video', 'loudspeaker'] as const;
export type TerminalKind = (typeof TERMINAL_KINDS)[number];
/** The kinds that register to Kamailio: they have an extension and SIP credentials. */
export const SIP_TERMINAL_KINDS: readonly TerminalKind[] = ['sip_phone', 'sip_video', 'loudspeaker'];
export function isSipTerminalKind(kind: TerminalKind): boolean {
  return SIP_TERMINAL_KINDS.includes(kind);
}
/**
 * The SIP kinds that take calls (alerts, notices, dial-outs, the duty desk's lookups): a loudspeaker registers
 * like a phone but only plays broadcasts, and must never ring where a desk phone is looked for.
 */
export const CALL_TAKING_KINDS: readonly TerminalKind[] = ['sip_phone', 'sip_video'];
export function takesCalls(kind: TerminalKind): boolean {
  return CALL_TAKING_KINDS.includes(kind);
}

/** A mainland China mobile number: 11 digits starting 13–19. */
export const CN_MOBILE_PATTERN = /^1[3-9][0-9]{9}$/;
/** A desk or duty line: digits with optional dashes (0878-3123456, 12345). */
export const PHONE_LINE_PATTERN = /^[0-9][0-9-]{2,19}$/;
/** Conference PINs an admin sets: 4–8 digits. */
export const ROOM_PIN_PATTERN = /^[0-9]{4,8}$/;
/**
 * Digits a new room's PIN has at least (random or chosen): 4 digits fall to a
 * few hundred calls of guessing. Older rooms keep shorter PINs, warned in the log.
 */
export const MIN_NEW_ROOM_PIN_DIGITS = 6;
/** A new room's PIN: 6–8 digits. */
export const NEW_ROOM_PIN_PATTERN = /^[0-9]{6,8}$/;
/** 行政区划代码: 6 digits (county) or 9/12 (township, village). */
export const DIVISION_CODE_PATTERN = /^[0-9]{6}([0-9]{3}([0-9]{3})?)?$/;
/** Usernames: letters, digits, `_ . -`, 2–64 of them. */
export const USERNAME_PATTERN = /^[A-Za-z0-9_.-]{2,64}$/;
/** Admin lists: rows per page at most. */
export const ADMIN_MAX_PAGE_SIZE = 200;
