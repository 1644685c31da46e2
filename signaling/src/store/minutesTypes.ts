/** The repository of meeting minutes (会议纪要): one document per booking, saved whole with a version. */
import type { MinutesAction } from '@beacon/protocol';

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

export type MinutesWrite = Omit<MinutesRecord, 'version' | 'updatedByName'>;

export interface MinutesRepository {
  get(bookingId: string): Promise<MinutesRecord | undefined>;
  /**
   * Stores the minutes if the stored version is still `expected` (0: none stored yet) and returns the new
   * version; null when someone saved in between (nothing written).
   */
  save(minutes: MinutesWrite, expected: number): Promise<number | null>;
}
