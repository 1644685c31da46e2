/** The repository of meeting minutes (会议纪要): one document per booking, saved whole with a version. */
import type { MinutesAction, MinutesFileFormat } from '@beacon/protocol';

export interface MinutesRecord {
  bookingId: string;
  decisions: string[];
  actions: MinutesAction[];
  text: string;
  version: number;
  updatedBy: string;
  updatedByName: string | null;
  updatedAt: string;
}

/** A finalised minutes file (纪要定稿): the bytes live on disk under `id`; the row says what they are. */
export interface MinutesFileRecord {
  id: string;
  bookingId: string;
  version: number;
  minutesVersion: number;
  format: MinutesFileFormat;
  name: string;
  bytes: number;
  sha256: string;
  issuedBy: string;
  issuedByName: string | null;
  issuedAt: string;
}

export type MinutesWrite = Omit<MinutesRecord, 'version' | 'updatedByName'>;

export interface MinutesRepository {
  get(bookingId: string): Promise<MinutesRecord | undefined>;
  /**
   * Stores the minutes if the stored version is still `expected` (0: none stored yet) and returns the new
   * version; null when someone saved in between (nothing written).
   */
  save(minutes: MinutesWrite, expected: number): Promise<number | null>;
  /** The booking's finalised files, newest version first (docx before pdf within one). */
  files(bookingId: string): Promise<MinutesFileRecord[]>;
  file(id: string): Promise<MinutesFileRecord | undefined>;
  /** The highest finalised version of the booking's minutes (0: never finalised). */
  lastFileVersion(bookingId: string): Promise<number>;
  /** Stores one finalisation's rows (the same version); a second with that version violates UNIQUE. */
  addFiles(files: readonly Omit<MinutesFileRecord, 'issuedByName'>[]): Promise<void>;
}
