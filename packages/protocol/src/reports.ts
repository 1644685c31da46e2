/**
 * Information reporting (信息报送): townships and departments report events
 * up to the duty desk as chains — a first report (首报), follow-ups (续报) and
 * a final report (终报). REST bodies and views here; photos are uploaded on
 * their own (POST /reports/photos, raw image body) and referred to by id.
 */
import { z } from 'zod';
import { latLonSchema } from './command.ts';
import { INCIDENT_TYPES, RESPONSE_LEVELS } from './vocabulary.ts';

const id = z.string().min(1).max(128);
const isoDateTime = z.iso.datetime({ offset: true });
const count = z.number().int().min(0).max(10_000_000);

export const REPORT_KINDS = ['first', 'follow_up', 'final'] as const;
export type ReportKind = (typeof REPORT_KINDS)[number];

/** How the report reached the city: from a terminal/department page, or typed in by the duty officer. */
export const REPORT_CHANNELS = ['terminal', 'phone', 'other'] as const;
export type ReportChannel = (typeof REPORT_CHANNELS)[number];

/**
 * The duty desk's handling of a chain.
 *
 *   received ──verify──> verified ──create/link incident──> linked
 *       └──────────create/link incident───────────────────────┘
 */
export const REPORT_STATES = ['received', 'verified', 'linked'] as const;
export type ReportState = (typeof REPORT_STATES)[number];
export const REPORT_TRANSITIONS: Record<ReportState, readonly ReportState[]> = {
  received: ['verified', 'linked'],
  verified: ['linked'],
  linked: [],
};

export const casualtiesSchema = z.strictObject({
  deaths: count.default(0),
  injured: count.default(0),
  missing: count.default(0),
  trapped: count.default(0),
});
export type Casualties = z.infer<typeof casualtiesSchema>;

const entryFields = {
  occurredAt: isoDateTime,
  /** [lat, lon]; null: the reporting township's seat (a department must give one: `location_required`). */
  location: latLonSchema.nullable().default(null),
  description: z.string().trim().min(1).max(4000),
  casualties: casualtiesSchema.default({ deaths: 0, injured: 0, missing: 0, trapped: 0 }),
  affected: count.default(0),
  evacuated: count.default(0),
  /** Photos uploaded by the same account (POST /reports/photos), not yet part of a report. */
  photoIds: z.array(id).max(9).default([]),
};

/** POST /reports: a first report (首报), opening a chain. */
export const newReportSchema = z.strictObject({
  type: z.enum(INCIDENT_TYPES),
  /** The response level the reporter estimates; null: not known yet (deadlines of level IV). */
  level: z.enum(RESPONSE_LEVELS).nullable().default(null),
  title: z.string().trim().min(1).max(200),
  ...entryFields,
  /** Staff typing in a report that came by phone or fax: the unit it is for and who called. */
  channel: z.enum(REPORT_CHANNELS).default('terminal'),
  caller: z.string().trim().max(200).nullable().default(null),
  townshipId: id.nullable().default(null),
  departmentId: id.nullable().default(null),
});
export type NewReportInput = z.input<typeof newReportSchema>;
export type NewReport = z.output<typeof newReportSchema>;

/** POST /reports/:id/entries: a follow-up (续报) or the final report (终报). */
export const reportEntrySchema = z.strictObject({
  kind: z.enum(['follow_up', 'final']),
  ...entryFields,
});
export type ReportEntryInput = z.output<typeof reportEntrySchema>;

export const reportQuestionSchema = z.strictObject({ text: z.string().trim().min(1).max(2000) });
export const reportAnswerSchema = z.strictObject({ text: z.string().trim().min(1).max(4000) });
/** POST /reports/:id/incident: a new incident from the chain, or link it to `incidentId`. */
export const reportIncidentSchema = z.strictObject({
  incidentId: id.optional(),
  level: z.enum(RESPONSE_LEVELS).optional(),
});
export const reportListQuerySchema = z.object({
  state: z.enum(REPORT_STATES).optional(),
  limit: z.coerce.number().int().min(1).max(2000).default(200),
});

export interface ReportPhotoView {
  id: string;
  bytes: number;
  width: number;
  height: number;
  /** Where the camera said it was (EXIF GPS), kept as data; never in the served image. */
  exifLocation: [number, number] | null;
  exifTakenAt: string | null;
}

export interface ReportEntryView {
  id: string;
  chainId: string;
  kind: ReportKind;
  at: string;
  byId: string;
  byName: string;
  occurredAt: string;
  location: [number, number];
  description: string;
  casualties: Casualties;
  affected: number;
  evacuated: number;
  /** Submitted after its deadline. */
  late: boolean;
  photos: ReportPhotoView[];
}

export interface ReportQuestionView {
  id: string;
  chainId: string;
  askedAt: string;
  askedByName: string;
  text: string;
  answeredAt: string | null;
  answeredByName: string | null;
  answer: string | null;
}

/** Another chain named in a chain's view: enough to say which event it is. */
export interface ReportChainRef {
  id: string;
  unitName: string;
  title: string;
}

/** POST /reports/:id/merge: the chain `:id` is a duplicate of `into`, which stays the event's main chain. */
export const reportMergeSchema = z.strictObject({ into: id });

export interface ReportChainView {
  id: string;
  unitKind: 'township' | 'department';
  unitId: string;
  unitName: string;
  type: (typeof INCIDENT_TYPES)[number];
  level: (typeof RESPONSE_LEVELS)[number] | null;
  title: string;
  channel: ReportChannel;
  caller: string | null;
  state: ReportState;
  /** A final report (终报) closed the chain: no more deadlines. */
  final: boolean;
  incidentId: string | null;
  occurredAt: string;
  location: [number, number];
  createdAt: string;
  updatedAt: string;
  verifiedAt: string | null;
  verifiedByName: string | null;
  /** When the next report is due; null once final. */
  nextDueAt: string | null;
  /** The next report is past due (red on both sides). */
  overdue: boolean;
  entries: ReportEntryView[];
  questions: ReportQuestionView[];
  /** The duty desk merged this chain (a duplicate) into another, the event's main chain; null: not merged. */
  mergedInto: ReportChainRef | null;
  mergedAt: string | null;
  mergedByName: string | null;
  /** The duplicates merged into this chain, oldest merge first. */
  merged: ReportChainRef[];
}

/** To staff, and to the reporting unit's sockets. */
export interface ReportServerEvents {
  /** A chain was created or changed (entry, verification, question, answer, incident, deadline). */
  'report:updated': (chain: ReportChainView) => void;
}
