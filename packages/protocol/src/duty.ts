/**
 * Duty (值班值守) over REST under `/api/v1/duty` and live socket.io events to
 * the command room's staff: the roster (排班) per day and shift with the
 * leader on duty (带班领导) and the duty officers, who is on duty now and
 * next, the duty log (值班日志) and the shift handover (交接班).
 * Browser-safe: only zod.
 *
 * Time zones: a roster day is a calendar day and a shift's start/end are
 * wall-clock times, both in the deployment's time zone (default
 * Asia/Shanghai); the server turns them into instants (ISO-8601 UTC) in every
 * view, so a browser in any zone shows the right moment.
 */
import { z } from 'zod';
import {
  DUTY_CLOCK_PATTERN,
  DUTY_DAY_PATTERN,
  DUTY_LOG_CATEGORIES,
  DUTY_MAX_OFFICERS,
  DUTY_MONTH_PATTERN,
  DUTY_SHIFT_KEY_PATTERN,
  type DutyLogCategory,
  type HandoverStatus,
  type RosterImportCode,
} from './dutyVocabulary.ts';
import type { IncidentStatus, IncidentType, ResponseLevel, TaskStatus, WarningColour } from './vocabulary.ts';

const id = z.string().min(1).max(128);
export const dutyDaySchema = z.string().regex(DUTY_DAY_PATTERN, '日期格式为 YYYY-MM-DD / a YYYY-MM-DD date');
export const dutyMonthSchema = z.string().regex(DUTY_MONTH_PATTERN, '月份格式为 YYYY-MM / a YYYY-MM month');
export const dutyShiftKeySchema = z.string().regex(DUTY_SHIFT_KEY_PATTERN, '班次代码 / a shift key');

// ---- shifts --------------------------------------------------------------------------

/** One shift of every day; `end` at or before `start` ends on the next day (夜班 17:30–08:30). */
export const dutyShiftSchema = z.object({
  key: dutyShiftKeySchema,
  name: z.string().trim().min(1).max(20),
  start: z.string().regex(DUTY_CLOCK_PATTERN),
  end: z.string().regex(DUTY_CLOCK_PATTERN),
});
export type DutyShift = z.infer<typeof dutyShiftSchema>;

// ---- the roster ------------------------------------------------------------------------

/** A person on a roster, with the phone the duty desk calls. */
export interface DutyPerson {
  userId: string;
  displayName: string;
  username: string;
  role: string;
  phone: string | null;
}

export interface RosterEntryView {
  day: string;
  shift: string;
  leader: DutyPerson | null;
  officers: DutyPerson[];
  updatedAt: string;
  updatedBy: string;
}

/** PUT /duty/roster/:day/:shift — no leader and no officers clears the slot. */
export const rosterSlotSchema = z.object({
  leaderId: id.nullable(),
  officerIds: z.array(id).max(DUTY_MAX_OFFICERS),
});
export type RosterSlotInput = z.infer<typeof rosterSlotSchema>;

/** GET /duty/roster?month=YYYY-MM */
export const rosterMonthQuerySchema = z.object({ month: dutyMonthSchema });
export interface RosterMonthView {
  month: string;
  timeZone: string;
  shifts: DutyShift[];
  /** Filled slots only, by day then shift order. */
  entries: RosterEntryView[];
}

/** One occurrence of a shift: the roster slot and its instants. */
export interface DutyShiftTime {
  day: string;
  shift: string;
  shiftName: string;
  startsAt: string;
  endsAt: string;
  /** Null when nobody is rostered for that slot. */
  entry: RosterEntryView | null;
}

/** GET /duty/now: who is on duty now and on the next shift. */
export interface DutyNowView {
  timeZone: string;
  at: string;
  /** Null only in a gap between configured shifts. */
  now: DutyShiftTime | null;
  next: DutyShiftTime;
}

/** POST /duty/roster/import?month=YYYY-MM[&dryRun=true], body: the XLSX file. */
export const rosterImportQuerySchema = z.object({
  month: dutyMonthSchema,
  dryRun: z.enum(['true', 'false']).default('false'),
});
/** A refused row (1-based, as a spreadsheet numbers them) and column header. */
export interface RosterImportRowError {
  row: number;
  column: string | null;
  code: RosterImportCode;
  message: string;
}
export interface RosterImportResult {
  month: string;
  dryRun: boolean;
  /** Slots the file fills. */
  slots: number;
  /** Slots of that month the import replaced or cleared. */
  replaced: number;
}
/** The 400 body of a refused import: nothing was written. */
export interface RosterImportRefusal {
  error: { code: 'bad_request'; message: string };
  rowErrors: RosterImportRowError[];
}

// ---- the duty log ---------------------------------------------------------------------------

export const dutyLogCategorySchema = z.enum(DUTY_LOG_CATEGORIES);
export interface DutyLogEntry {
  id: number;
  at: string;
  authorId: string;
  authorName: string;
  category: DutyLogCategory;
  text: string;
}
export const dutyLogInputSchema = z.object({
  category: dutyLogCategorySchema.default('general'),
  text: z.string().trim().min(1).max(2000),
});
export type DutyLogInput = z.infer<typeof dutyLogInputSchema>;
export const dutyLogQuerySchema = z.object({
  limit: z.coerce.number().int().min(1).max(500).default(100),
});

// ---- the shift handover ------------------------------------------------------------------------

/** What Beacon assembles for the incoming shift. */
export interface HandoverContents {
  assembledAt: string;
  /** The log is what was written since the previous accepted handover (null: none yet, the last 24 h). */
  since: string;
  openIncidents: {
    id: string;
    title: string;
    type: IncidentType;
    level: ResponseLevel;
    status: IncidentStatus;
    townshipId: string | null;
    createdAt: string;
  }[];
  /** Issued, unexpired warnings some township has not acknowledged (签收). */
  unackedWarnings: {
    warningId: string;
    headline: string;
    colour: WarningColour;
    issuedAt: string | null;
    expires: string;
    unackedTownshipIds: string[];
    /** Departments addressed by hand that have not acknowledged (absent in handovers before departments). */
    unackedDepartmentIds?: string[];
  }[];
  overdueTasks: {
    id: string;
    /** The task's township, or null for a department's task. */
    townshipId: string | null;
    departmentId?: string | null;
    text: string;
    deadline: string;
    status: TaskStatus;
  }[];
  log: DutyLogEntry[];
}

export interface HandoverView {
  id: string;
  status: HandoverStatus;
  /** The shift being handed over, when one was on the roster. */
  day: string | null;
  shift: string | null;
  contents: HandoverContents;
  createdAt: string;
  createdBy: string;
  createdByName: string;
  /** The outgoing officer's notes (交班说明). */
  notes: string;
  handedOverAt: string | null;
  handedOverBy: string | null;
  handedOverByName: string | null;
  acceptedAt: string | null;
  acceptedBy: string | null;
  acceptedByName: string | null;
  /** The incoming officer's remark (接班意见). */
  acceptNote: string;
}

export const handOverSchema = z.object({ notes: z.string().trim().max(5000).default('') });
export const acceptHandoverSchema = z.object({ note: z.string().trim().max(2000).default('') });
export const handoverListQuerySchema = z.object({ limit: z.coerce.number().int().min(1).max(100).default(20) });

// ---- socket events ------------------------------------------------------------------------

/** To the command room's staff sockets. */
export interface DutyServerEvents {
  /** A roster slot was set, cleared or imported: ask GET /duty/now again. */
  'duty:roster': (data: { month: string }) => void;
  'duty:log': (entry: DutyLogEntry) => void;
  'duty:handover': (handover: HandoverView) => void;
}

// ---- the duty number ------------------------------------------------------------------------

/**
 * A call to the duty desk's number (值班电话). Each call gets its own room;
 * the consoles of the officers on duty now show a card until someone answers.
 *
 *   ringing ──officer answers──────────────────────────────> answered ──caller hangs up──> ended
 *      │  └──ring time over, or every officer declined──> forwarded ──leader's phone / an officer answers──> answered
 *      └──caller hangs up (ringing or forwarded)───────────────────────────────────────> ended (missed)
 */
export const DUTY_CALL_STATES = ['ringing', 'forwarded', 'answered', 'ended'] as const;
export type DutyCallState = (typeof DUTY_CALL_STATES)[number];

export interface DutyCallView {
  callId: string;
  /** The call's own room: answering joins it (#/room/<roomId>). */
  roomId: string;
  state: DutyCallState;
  /** Who calls, as the room shows them (`鹿城镇·8001`, `电话 13900000000`). */
  caller: string;
  extension: string | null;
  startedAt: string;
  /** When the leader on duty is called if nobody answers. */
  forwardAt: string;
  answeredBy: { userId: string; displayName: string } | null;
  answeredAt: string | null;
  /** The leader on duty whose phone was called, once forwarded. */
  forwardedTo: { userId: string; displayName: string; phone: string | null } | null;
  /** User ids of the officers who declined. */
  declinedBy: string[];
  endedAt: string | null;
}

export const dutyCallEventSchemas = {
  /** An officer on duty takes the call; the ack names the room to join. `invalid_state` when already taken or over. */
  'duty:call:answer': z.object({ callId: id }),
  /** An officer declines: the card goes; when every officer on duty declined, the leader is called at once. */
  'duty:call:decline': z.object({ callId: id }),
} as const;

export interface DutyCallEventResults {
  'duty:call:answer': { roomId: string };
  'duty:call:decline': Record<string, never>;
}

/** To the sockets of the officers a call rings for (and whoever answered it). */
export interface DutyCallServerEvents {
  /** A call to the duty number started or changed state; `ended`/`answered` by someone else drops the card. */
  'duty:call': (call: DutyCallView) => void;
}
