/**
 * The signaling side of a room recording: start/stop through the media node,
 * the `recording` part of the room state, and the recording's main video
 * following the spotlight. The store side (rows, files) is MeetingJournal's.
 */
import { randomUUID } from 'node:crypto';
import { chmod } from 'node:fs/promises';
import type { MediaControl, RecordingResult } from '@beacon/media-server';
import type { RoomState } from '@beacon/protocol';
import { BeaconError } from '@beacon/protocol';
import { PRIVATE_FILE_MODE } from '../dataDirAccess.ts';
import { createLogger } from '../logger.ts';

const logger = createLogger('RoomRecorder');

type Current = NonNullable<RoomState['recording']>;

export class RoomRecorder {
  readonly #roomId: string;
  readonly #media: MediaControl;
  #current: Current | null = null;
  /** A start waiting for the media node: a second start meanwhile is refused like one during the recording. */
  #starting = false;
  /** The main video told to the media node; undefined: not told yet. */
  #focus: string | null | undefined;

  constructor(roomId: string, media: MediaControl) {
    this.#roomId = roomId;
    this.#media = media;
  }

  get current(): Current | null {
    return this.#current;
  }

  /** Starts recording into the media node's own recordings directory (it takes a recording id, never a path). */
  async start(): Promise<Current & { filePath: string }> {
    if (this.#current || this.#starting)
      throw new BeaconError('invalid_state', 'the meeting is already being recorded');
    const recordingId = randomUUID();
    let filePath: string;
    this.#starting = true;
    try {
      ({ filePath } = await this.#media.startRecording(this.#roomId, { recordingId }));
    } catch (err) {
      const reason = err instanceof Error ? err.message : String(err);
      throw new BeaconError('recording_failed', `录制无法开始 / recording could not start: ${reason}`, { cause: err });
    } finally {
      this.#starting = false;
    }
    this.#current = { recordingId, startedAt: new Date().toISOString() };
    this.#focus = undefined;
    logger.info({ roomId: this.#roomId, recordingId }, 'recording started');
    return { ...this.#current, filePath };
  }

  /** Stops and waits for the file. The state says "not recording" even if stopping failed. */
  async stop(): Promise<Current & RecordingResult> {
    const current = this.#current;
    if (!current) throw new BeaconError('invalid_state', 'the meeting is not being recorded');
    this.#current = null;
    try {
      const result = await this.#media.stopRecording(this.#roomId);
      // ffmpeg wrote it with the process umask; a meeting's recording is for the records readers only.
      await chmod(result.filePath, PRIVATE_FILE_MODE).catch((err: unknown) => {
        logger.warn({ err, roomId: this.#roomId, recordingId: current.recordingId }, 'recording file mode not set');
      });
      logger.info({ roomId: this.#roomId, recordingId: current.recordingId, ...result }, 'recording stopped');
      return { ...current, ...result };
    } catch (err) {
      throw new BeaconError('recording_failed', '录制未能正常结束 / the recording did not finish', { cause: err });
    }
  }

  /** Forgets the running recording (the media node gave up, or the room closed); returns it. */
  abandon(): Current | null {
    const current = this.#current;
    this.#current = null;
    return current;
  }

  /** Points the recording's main video at the spotlight (null: the active speaker). */
  follow(peerId: string | null): void {
    if (!this.#current || this.#focus === peerId) return;
    this.#focus = peerId;
    try {
      this.#media.setRecordingFocus(this.#roomId, peerId);
    } catch (err) {
      logger.warn({ err, roomId: this.#roomId }, 'recording focus not set');
    }
  }
}
