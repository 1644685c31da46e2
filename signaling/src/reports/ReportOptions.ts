/** Options of information reporting (信息报送), with their documented defaults. */
import type { ResponseLevel } from '@beacon/protocol';
import { DEFAULT_MAX_PHOTO_BYTES } from './reportPhotos.ts';

/** When reports of a chain are due, for one response level. */
export interface ReportDeadline {
  /** The first report (首报) is due this many minutes after the event occurred. */
  firstWithinMinutes: number;
  /** Until the final report (终报), a follow-up (续报) is due this many minutes after the previous report. */
  followUpEveryMinutes: number;
}

export interface ReportOptions {
  /**
   * Deadlines per response level (a chain whose level is not known yet uses IV's). Default: I and II — first
   * report within 30 min, a follow-up every 2 h; III — 60 min, every 4 h; IV — 120 min, every 12 h
   * (config BEACON_REPORT_DEADLINES, JSON of the same shape, overrides levels one by one).
   */
  deadlines: Record<ResponseLevel, ReportDeadline>;
  /** The largest photo accepted (default 10 MB; a bigger one is `photo_too_large`). */
  maxPhotoBytes: number;
  /** How often overdue chains are looked for (default 15 s). */
  tickMs: number;
  /** A photo uploaded but never made part of a report is deleted after this long (default 24 h). */
  unusedPhotoTtlMs: number;
}

export const DEFAULT_REPORT_DEADLINES: Record<ResponseLevel, ReportDeadline> = {
  I: { firstWithinMinutes: 30, followUpEveryMinutes: 120 },
  II: { firstWithinMinutes: 30, followUpEveryMinutes: 120 },
  III: { firstWithinMinutes: 60, followUpEveryMinutes: 240 },
  IV: { firstWithinMinutes: 120, followUpEveryMinutes: 720 },
};

export const DEFAULT_REPORT_OPTIONS: ReportOptions = {
  deadlines: DEFAULT_REPORT_DEADLINES,
  maxPhotoBytes: DEFAULT_MAX_PHOTO_BYTES,
  tickMs: 15_000,
  unusedPhotoTtlMs: 24 * 60 * 60 * 1000,
};
