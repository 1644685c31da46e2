/** Types of the loudspeaker channel's repository (store/loudspeakerRecords.ts). */
import type { LoudspeakerCallView, LoudspeakerFailure } from '@beacon/protocol';

export interface NewLoudspeakerCall {
  id: string;
  terminalId: string;
  townshipId: string;
  villageId: string;
  name: string;
  extension: string;
}

export interface LoudspeakerCallRepository {
  /** Adds the loudspeakers not on the warning yet, calling as their first attempt; returns all of the warning's. */
  add(warningId: string, calls: readonly NewLoudspeakerCall[], at: string): Promise<LoudspeakerCallView[]>;
  list(warningId: string): Promise<LoudspeakerCallView[]>;
  get(id: string): Promise<LoudspeakerCallView | undefined>;
  /** calling → playing (the loudspeaker answered). */
  playing(id: string, attempt: number, at: string): Promise<LoudspeakerCallView | undefined>;
  /** calling/playing → played (every repetition went out). */
  played(id: string, attempt: number, at: string): Promise<LoudspeakerCallView | undefined>;
  /** calling/playing → failed, with why. */
  failed(
    id: string,
    attempt: number,
    failure: LoudspeakerFailure,
    reason: string | null,
    at: string,
  ): Promise<LoudspeakerCallView | undefined>;
  /** failed → calling as attempt `previous + 1`, only while still failed at `previous` (compare-and-set). */
  retry(id: string, previous: number, at: string): Promise<LoudspeakerCallView | undefined>;
}
