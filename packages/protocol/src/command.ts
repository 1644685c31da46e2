/**
 * The command room (指挥大屏, the duty officers' map): incidents, early warnings (CAP 1.2) with
 * acknowledgement, dispatch tasks, presence of township terminals, video pull
 * and emergency meetings. Browser-safe: only zod.
 *
 * Resources go over REST (`/api/v1/...`, schemas below); live changes come as
 * socket.io events (`CommandServerEvents`); township terminals acknowledge
 * alerts and tasks with socket events (`commandEventSchemas`), answered only
 * after the store has the row (a crash cannot lose an ack that was answered ok).
 *
 * Coordinates are WGS84 `[lat, lon]` pairs everywhere in this protocol
 * (Leaflet's order and CAP's), never GeoJSON's `[lon, lat]`.
 */
import { z } from 'zod';
import type { WarningSource } from './capFeeds.ts';
import {
  CAP_CERTAINTIES,
  CAP_SEVERITIES,
  CAP_URGENCIES,
  type CapCertainty,
  type CapSeverity,
  type CapUrgency,
  type DialState,
  INCIDENT_STATUSES,
  INCIDENT_TYPES,
  type IncidentStatus,
  type IncidentType,
  RESPONSE_LEVELS,
  type ResponseLevel,
  TASK_STATUSES,
  type TaskStatus,
  WARNING_COLOURS,
  WARNING_STATUSES,
  type WarningColour,
  type WarningStatus,
} from './vocabulary.ts';

const id = z.string().min(1).max(128);
const isoDateTime = z.iso.datetime({ offset: true });
const lat = z.number().min(-90).max(90);
const lon = z.number().min(-180).max(180);
export const latLonSchema = z.tuple([lat, lon]);
export type LatLon = z.infer<typeof latLonSchema>;

// ---- addressees -------------------------------------------------------------

/** Who the city addresses: a township or a department (部门联动). */
export type AddresseeKind = 'township' | 'department';
export interface Addressee {
  kind: AddresseeKind;
  id: string;
}

// ---- incidents -------------------------------------------------------------

export const incidentTypeSchema = z.enum(INCIDENT_TYPES);
export const responseLevelSchema = z.enum(RESPONSE_LEVELS);
export const incidentStatusSchema = z.enum(INCIDENT_STATUSES);

export interface IncidentView {
  id: string;
  type: IncidentType;
  level: ResponseLevel;
  title: string;
  description: string;
  reporter: string;
  townshipId: string | null;
  location: LatLon;
  status: IncidentStatus;
  createdAt: string;
  createdBy: string;
  updatedAt: string;
  /** Departments involved (部门联动): their accounts see the incident. */
  departmentIds: string[];
}

export type TimelineKind = 'created' | 'status' | 'note' | 'snapshot' | 'warning' | 'task' | 'meeting';

export interface TimelineEntry {
  id: number;
  incidentId: string;
  at: string;
  actorId: string;
  actorName: string;
  kind: TimelineKind;
  text: string;
  /** For snapshots: GET /api/v1/incidents/:id/snapshots/:entryId returns the JPEG. */
  hasSnapshot: boolean;
  /** Status changes: `{ from, to }`; warnings/tasks/meetings: their id. */
  data: Record<string, unknown> | null;
}

export const createIncidentSchema = z.object({
  type: incidentTypeSchema,
  level: responseLevelSchema,
  title: z.string().trim().min(1).max(200),
  description: z.string().max(5000).default(''),
  reporter: z.string().trim().max(100).default(''),
  /** Null: computed from the location (the township whose point is nearest). */
  townshipId: id.nullable().default(null),
  location: latLonSchema,
  /** Departments involved (enabled ones). */
  departmentIds: z.array(id).max(100).default([]),
});
export type CreateIncidentRequest = z.infer<typeof createIncidentSchema>;

export const incidentStatusChangeSchema = z.object({
  status: incidentStatusSchema,
  note: z.string().max(2000).optional(),
});
/** A note, optionally with a snapshot grabbed from a pulled video: a JPEG data URL up to ~2 MB. */
export const incidentNoteSchema = z.object({
  text: z.string().trim().min(1).max(5000),
  snapshot: z
    .string()
    .max(2_800_000)
    .regex(/^data:image\/jpeg;base64,[A-Za-z0-9+/=]+$/)
    .optional(),
});
/** Replaces the departments an incident involves. */
export const incidentDepartmentsSchema = z.object({ departmentIds: z.array(id).max(100) });
export const incidentFilterSchema = z.object({
  status: incidentStatusSchema.optional(),
  type: incidentTypeSchema.optional(),
  level: responseLevelSchema.optional(),
});

// ---- warnings (CAP 1.2) ------------------------------------------------------

export const warningColourSchema = z.enum(WARNING_COLOURS);
export const capUrgencySchema = z.enum(CAP_URGENCIES);
export const capSeveritySchema = z.enum(CAP_SEVERITIES);
export const capCertaintySchema = z.enum(CAP_CERTAINTIES);

/** Closed or open ring of ≥ 3 distinct points; stored closed (first = last) as CAP wants. */
const polygonAreaSchema = z.object({ type: z.literal('polygon'), points: z.array(latLonSchema).min(3).max(1000) });
const circleAreaSchema = z.object({
  type: z.literal('circle'),
  center: latLonSchema,
  radiusKm: z.number().positive().max(1000),
});
export const warningAreaSchema = z.discriminatedUnion('type', [
  polygonAreaSchema,
  circleAreaSchema,
  /**
   * Several shapes whose union is the area: what a CAP alert with several <area>s, polygons or
   * circles describes (a county's warning given as its districts' outlines).
   */
  z.object({
    type: z.literal('multi'),
    parts: z
      .array(z.discriminatedUnion('type', [polygonAreaSchema, circleAreaSchema]))
      .min(1)
      .max(100),
  }),
]);
export type WarningArea = z.infer<typeof warningAreaSchema>;
/** One polygon or circle of an area. */
export type WarningShape = Exclude<WarningArea, { type: 'multi' }>;

export const warningStatusSchema = z.enum(WARNING_STATUSES);

export interface WarningView {
  id: string;
  /** CAP identifier (unique, stable: `beacon-<id>` or the imported alert's). */
  identifier: string;
  sender: string;
  event: string;
  colour: WarningColour;
  urgency: CapUrgency;
  severity: CapSeverity;
  certainty: CapCertainty;
  headline: string;
  description: string;
  instruction: string;
  /**
   * Null only on a draft from a CAP alert without a drawable shape (areas by name or geocode, a
   * circle of radius 0): the duty officer draws one before issuing, unless its geocodes named townships.
   */
  area: WarningArea | null;
  areaDesc: string;
  effective: string;
  /** Null only on a draft from a CAP alert without <expires>: the duty officer sets it before issuing. */
  expires: string | null;
  status: WarningStatus;
  incidentId: string | null;
  /**
   * Townships the area reaches (computed by the server): those whose imported boundary overlaps it,
   * and those without a boundary whose point lies in it. Disabled townships never.
   */
  affectedTownshipIds: string[];
  /** Departments the duty officer addressed by hand (delivered alongside the townships). */
  departmentIds: string[];
  /**
   * Per affected township with a boundary: the share of its area the warning covers (0–1).
   * Absent on warnings drafted before boundaries existed (read as none).
   */
  coveredShares?: Record<string, number>;
  /** Re-notify unacknowledged townships this often after issuing (minutes; 0 = never). */
  escalationMinutes: number;
  createdAt: string;
  createdBy: string;
  issuedAt: string | null;
  issuedBy: string | null;
  /** Where a warning from outside came from (a CAP file or feed); null or absent for Beacon's own. */
  source?: WarningSource | null;
}

export const createWarningSchema = z.object({
  event: z.string().trim().min(1).max(200),
  colour: warningColourSchema,
  urgency: capUrgencySchema.default('Expected'),
  severity: capSeveritySchema.default('Severe'),
  certainty: capCertaintySchema.default('Likely'),
  headline: z.string().trim().min(1).max(300),
  description: z.string().max(5000).default(''),
  instruction: z.string().max(5000).default(''),
  area: warningAreaSchema,
  areaDesc: z.string().trim().max(500).default(''),
  effective: isoDateTime.optional(),
  expires: isoDateTime,
  incidentId: id.nullable().default(null),
  escalationMinutes: z.number().min(0).max(1440).default(10),
  /** Departments to warn as well as the townships the area reaches (enabled ones). */
  departmentIds: z.array(id).max(100).default([]),
});
export type CreateWarningRequest = z.infer<typeof createWarningSchema>;
/**
 * Completes or corrects a draft (PATCH /warnings/:id): what a CAP alert from outside lacked (an end
 * time, a drawable area) and what only Beacon decides (colour, escalation, departments, incident).
 */
export const updateWarningSchema = z
  .object({
    expires: isoDateTime,
    area: warningAreaSchema,
    areaDesc: z.string().trim().max(500),
    colour: warningColourSchema,
    escalationMinutes: z.number().min(0).max(1440),
    departmentIds: z.array(id).max(100),
    incidentId: id.nullable(),
  })
  .partial()
  .refine((patch) => Object.keys(patch).length > 0, 'nothing to change');
export type UpdateWarningRequest = z.infer<typeof updateWarningSchema>;

/** Highlight before issuing: which townships an area covers. */
export const warningPreviewSchema = z.object({ area: warningAreaSchema });
/** The preview's answer: the townships an area reaches and, for those with a boundary, the share covered. */
export interface WarningPreview {
  affectedTownshipIds: string[];
  coveredShares: Record<string, number>;
}

/** How an ack came in: the terminal's button, a desk phone's 1, the console, or an SMS reply (1 / 收到). */
export type AckChannel = 'terminal' | 'phone' | 'console' | 'sms';

/** One township's or department's line on a warning's ack board (签收情况): exactly one of the two ids is set. */
export interface AckBoardRow {
  warningId: string;
  townshipId: string | null;
  departmentId: string | null;
  /** First time a terminal of the township received the alert (its client confirmed receipt). */
  deliveredAt: string | null;
  ackedAt: string | null;
  ackedBy: string | null;
  ackedByName: string | null;
  channel: AckChannel | null;
  /** How many times the township was notified (1 = the first issue; more = escalations). */
  notifyCount: number;
  lastNotifiedAt: string;
  /** The share of the township's boundary the warning covers (0–1); null or absent without a boundary (seat point). */
  coveredShare?: number | null;
  /** The desk phone's last alert call: how far it got (null: never called), and when it was last answered. */
  phoneState?: DialState | null;
  phoneAnsweredAt?: string | null;
}

/** What a township terminal shows in its full-screen banner. */
export interface AlertForTerminal {
  warningId: string;
  event: string;
  colour: WarningColour;
  headline: string;
  description: string;
  instruction: string;
  expires: string;
  issuedAt: string;
  /** >1 when this is a re-notification (escalation). */
  notifyCount: number;
}

// ---- tasks -----------------------------------------------------------------------

export const taskStatusSchema = z.enum(TASK_STATUSES);

export interface TaskView {
  id: string;
  /** Tasks sent together to several townships share a batch. */
  batchId: string;
  /** The addressee: a township or a department (exactly one is set). */
  townshipId: string | null;
  departmentId: string | null;
  text: string;
  deadline: string;
  incidentId: string | null;
  status: TaskStatus;
  note: string | null;
  createdAt: string;
  createdBy: string;
  ackedAt: string | null;
  doneAt: string | null;
  /** Deadline passed and not done (computed at read time). */
  overdue: boolean;
}

/** One task per township and per department (at least one addressee). */
export const createTaskSchema = z
  .object({
    townshipIds: z.array(id).max(100).default([]),
    departmentIds: z.array(id).max(100).default([]),
    text: z.string().trim().min(1).max(2000),
    deadline: isoDateTime,
    incidentId: id.nullable().default(null),
  })
  .refine((t) => t.townshipIds.length + t.departmentIds.length > 0, {
    message: '至少选择一个乡镇或部门 / choose at least one township or department',
    path: ['townshipIds'],
  });

/** "会商" (POST /incidents/:id/meeting, /warnings/:id/meeting): departments to invite as well, chosen by hand. */
export const emergencyMeetingSchema = z.object({ departmentIds: z.array(id).max(100).optional() });

// ---- presence (map markers) -----------------------------------------------------------

export interface TerminalPresence {
  townshipId: string;
  /** A township account's browser (the video terminal) is connected. */
  videoOnline: boolean;
  /** The room it is in, if any. */
  inMeeting: string | null;
  phoneRegistered: boolean;
  phoneInCall: boolean;
}

// ---- socket events ----------------------------------------------------------------------

export const commandEventSchemas = {
  /** Township terminal: the banner is on screen (delivered). */
  'alert:received': z.object({ warningId: id }),
  /** Township terminal: acknowledge (签收). Answered after the ack is stored. */
  'alert:ack': z.object({ warningId: id }),
  'task:ack': z.object({ taskId: id }),
  'task:done': z.object({ taskId: id, note: z.string().trim().max(2000).default('') }),
  /** Duty officer / admin / chair: pull a township terminal's camera (监控调阅). Returns the room to join as audience. */
  'pull:start': z.object({ townshipId: id }),
  'pull:stop': z.object({ townshipId: id }),
} as const;

export interface CommandEventResults {
  'alert:received': Record<string, never>;
  'alert:ack': AckBoardRow;
  'task:ack': TaskView;
  'task:done': TaskView;
  'pull:start': { roomId: string };
  'pull:stop': Record<string, never>;
}

export interface CommandServerEvents {
  /** To the affected townships' sockets: show the banner (again, on escalation). */
  'alert:new': (alert: AlertForTerminal) => void;
  /** To staff sockets: a warning was created/issued/cancelled. */
  'warning:updated': (warning: WarningView) => void;
  /** To staff sockets: an ack board line changed (delivered, acked, re-notified). */
  'ack:updated': (row: AckBoardRow) => void;
  /** To staff sockets: an admin imported or removed township boundaries (`count` townships have one now). */
  'boundaries:updated': (change: { count: number }) => void;
  'incident:updated': (incident: IncidentView) => void;
  'incident:timeline': (entry: TimelineEntry) => void;
  /** To staff sockets and the task's township. */
  'task:updated': (task: TaskView) => void;
  /** To staff sockets: a township terminal came online / went offline / joined or left a meeting. */
  'presence:updated': (presence: TerminalPresence) => void;
  /** To a township terminal: join this room now (emergency meeting; auto-answer). */
  'meeting:invite': (data: { roomId: string; title: string; by: string }) => void;
  /** To a township terminal: start sending the camera into this room for a video pull (stop: null). */
  'pull:request': (data: { roomId: string | null }) => void;
}
