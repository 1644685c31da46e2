/** Options of meetings on a schedule (会议预约), with their documented defaults. */
import { DEFAULT_MAX_MATERIAL_BYTES } from './materialCheck.ts';

export interface MeetingOptions {
  /**
   * How often the scheduler looks for reminders due, meetings to start and meetings to end (default 15 s;
   * config BEACON_MEETING_TICK_MS). A meeting starts at most this long after its time.
   */
  tickMs: number;
  /** The largest material accepted (default 50 MB; a bigger one is `material_too_large`). */
  maxMaterialBytes: number;
  /** A material uploaded but never made part of a booking is deleted after this long (default 24 h). */
  unusedMaterialTtlMs: number;
}

export const DEFAULT_MEETING_OPTIONS: MeetingOptions = {
  tickMs: 15_000,
  maxMaterialBytes: DEFAULT_MAX_MATERIAL_BYTES,
  unusedMaterialTtlMs: 24 * 60 * 60_000,
};
