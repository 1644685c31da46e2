/**
 * The recordings of a media server, at most one per room. Rooms closing (on
 * request, or under a dead worker) and the server closing finish the file
 * rather than drop it.
 */

import path from 'node:path';
import { TypedEmitter } from '@beacon/common';
import { createLogger } from './logger.ts';
import type { MediaControlEvents, RecordingResult, StartRecordingOptions } from './MediaControlTypes.ts';
import { MediaError } from './MediaError.ts';
import type { PlainRtpDefaults } from './plainRtp.ts';
import { isRecordingId, Recorder } from './Recorder.ts';
import type { Room } from './Room.ts';

const logger = createLogger('Recordings');

export class Recordings extends TypedEmitter<Pick<MediaControlEvents, 'recordingfailed'>> {
  readonly #defaults: PlainRtpDefaults;
  readonly #directory: string;
  /** Recording or starting, by room id (a start in flight already holds the room). */
  readonly #recorders = new Map<string, Promise<Recorder>>();
  /** Stops in flight, so closing the server waits for their files. */
  readonly #finishing = new Set<Promise<unknown>>();

  constructor(defaults: PlainRtpDefaults & { recordingsDir: string }) {
    super();
    this.#defaults = defaults;
    this.#directory = path.resolve(defaults.recordingsDir);
  }

  async start(room: Room, options: StartRecordingOptions): Promise<{ filePath: string }> {
    if (!isRecordingId(options.recordingId)) {
      throw new MediaError(
        'recording_id_invalid',
        `recording id ${JSON.stringify(options.recordingId)} is not a plain file name (letters, digits, . _ -)`,
      );
    }
    if (this.#recorders.has(room.id)) throw new MediaError('invalid_state', `room "${room.id}" is already recording`);
    const starting = Recorder.start(room, this.#defaults, {
      recordingId: options.recordingId,
      directory: this.#directory,
    });
    this.#recorders.set(room.id, starting);
    try {
      const recorder = await starting;
      recorder.on('failed', (reason) => {
        if (this.#recorders.get(room.id) === starting) this.#recorders.delete(room.id);
        this.safeEmit('recordingfailed', { roomId: room.id, reason });
      });
      return { filePath: recorder.filePath };
    } catch (error) {
      this.#recorders.delete(room.id);
      throw error;
    }
  }

  async stop(roomId: string): Promise<RecordingResult> {
    const starting = this.#recorders.get(roomId);
    if (!starting) throw new MediaError('invalid_state', `room "${roomId}" is not recording`);
    this.#recorders.delete(roomId);
    const stopping = starting.then((recorder) => recorder.stop());
    this.#finishing.add(stopping);
    try {
      return await stopping;
    } finally {
      this.#finishing.delete(stopping);
    }
  }

  setFocus(roomId: string, peerId: string | null): void {
    const starting = this.#recorders.get(roomId);
    if (!starting) throw new MediaError('invalid_state', `room "${roomId}" is not recording`);
    void starting.then((recorder) => recorder.setFocus(peerId)).catch(() => undefined);
  }

  /**
   * The room is going away: finish its file in the background. With a
   * `reason` (worker death) the recording is also reported as failed, since
   * the rest of the meeting will not be in it.
   */
  finish(roomId: string, reason?: string): void {
    if (!this.#recorders.has(roomId)) return;
    this.stop(roomId).then(
      (result) => {
        logger.info({ roomId, ...result }, 'recording finished as its room closed');
        if (reason) this.safeEmit('recordingfailed', { roomId, reason });
      },
      (error: unknown) => {
        logger.error({ roomId, err: error }, 'recording lost as its room closed');
        this.safeEmit('recordingfailed', { roomId, reason: reason ?? String(error) });
      },
    );
  }

  /** Finishes every recording (server shutdown). */
  async closeAll(): Promise<void> {
    for (const roomId of [...this.#recorders.keys()]) this.finish(roomId);
    await Promise.allSettled([...this.#finishing]);
  }
}
