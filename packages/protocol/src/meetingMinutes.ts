/**
 * After a booked meeting: the minutes (会议纪要) — decisions, action items
 * with an owner unit and a due time (each may become a dispatch task to that
 * unit), free text — and the attendance against the invitation. The
 * secretary saves the minutes whole, with the version it read (a second
 * secretary's save in between is a `conflict`, never lost silently).
 * During a meeting the chair presents a material page by page: the room's
 * state carries what is shown (`presentation`).
 */
import { z } from 'zod';

const id = z.string().min(1).max(128);

export const MINUTES_OWNER_KINDS = ['township', 'department'] as const;

export const minutesActionSchema = z.strictObject({
  /** Absent for a new item (the server gives it one); kept items keep theirs and their task. */
  id: z.uuid().optional(),
  text: z.string().trim().min(1).max(1000),
  owner: z.strictObject({ kind: z.enum(MINUTES_OWNER_KINDS), id }),
  due: z.iso.datetime({ offset: true }),
});
export type MinutesActionInput = z.infer<typeof minutesActionSchema>;

/** PUT /meetings/:id/minutes: the whole minutes; `version` is the one read (0 for none yet). */
export const minutesSaveSchema = z.strictObject({
  decisions: z.array(z.string().trim().min(1).max(2000)).max(100),
  actions: z.array(minutesActionSchema).max(100),
  text: z.string().max(20_000),
  version: z.number().int().min(0),
});
export type MinutesSave = z.infer<typeof minutesSaveSchema>;

export interface MinutesAction {
  id: string;
  text: string;
  owner: { kind: (typeof MINUTES_OWNER_KINDS)[number]; id: string; name: string };
  due: string;
  /** The dispatch task it became (null: not yet). */
  taskId: string | null;
}

export interface MinutesView {
  bookingId: string;
  decisions: string[];
  actions: MinutesAction[];
  text: string;
  /** 0: nothing saved yet. */
  version: number;
  updatedByName: string | null;
  updatedAt: string | null;
}

/** How an invitee attended: joined in time, joined late, left before the end, never joined. */
export const ATTENDANCE_STATUSES = ['present', 'late', 'left_early', 'absent'] as const;
export type AttendanceStatus = (typeof ATTENDANCE_STATUSES)[number];

/** socket `material:present` (the chair, in the room): show a material's page to everyone; null stops. */
export const materialPresentSchema = z.strictObject({
  materialId: id.nullable(),
  page: z.number().int().min(1).max(10_000).default(1),
});
export type MaterialPresent = z.infer<typeof materialPresentSchema>;

/** What the room's main view shows when a material is presented (part of the room state). */
export interface Presentation {
  materialId: string;
  name: string;
  page: number;
  pages: number;
  /** The page image (GET, with the account's token). */
  url: string;
}

/** GET /meetings/materials/:id/pages: the material rendered to page images (converted once, then cached). */
export interface MaterialPages {
  materialId: string;
  pages: number;
}

/**
 * POST /meetings/:id/minutes/finalise (定稿签发): the minutes version the secretary read and signs. Beacon renders
 * that version once to DOCX and PDF and keeps both as the meeting's files; a later edit is a new draft, finalised
 * again as the next file version (the earlier files stay).
 */
export const minutesFinaliseSchema = z.strictObject({
  version: z.number().int().min(1),
});
export type MinutesFinalise = z.infer<typeof minutesFinaliseSchema>;

export const MINUTES_FILE_FORMATS = ['docx', 'pdf'] as const;
export type MinutesFileFormat = (typeof MINUTES_FILE_FORMATS)[number];

/** A finalised minutes file kept with the meeting (the stored bytes, never re-rendered). */
export interface MinutesFileView {
  id: string;
  bookingId: string;
  /** 1, 2, … per finalisation of this meeting's minutes. */
  version: number;
  /** The minutes (draft) version it was rendered from. */
  minutesVersion: number;
  format: MinutesFileFormat;
  name: string;
  bytes: number;
  sha256: string;
  issuedByName: string | null;
  issuedAt: string;
  /** GET with the account's token: the stored bytes. */
  url: string;
}

/** The answer to a finalisation: the files stored; `pdf` says why there is no PDF when there is none. */
export interface MinutesFinalised {
  version: number;
  files: MinutesFileView[];
  /** null: the PDF was stored; otherwise the code of why not (LibreOffice missing or failing). */
  pdfError: 'conversion_unavailable' | 'material_unconvertible' | null;
}
