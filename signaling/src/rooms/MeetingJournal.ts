/**
 * What the store remembers of live rooms: a meeting runs while its room has
 * people (started on the room's creation, ended when it closes — also when
 * the chair ends it); attendance (签到) intervals per participant; the end of
 * recordings that the room's closing or the media node cut short.
 *
 * Attendance: one interval per join→leave. A resume after a network drop
 * continues the same interval; when the grace runs out the interval ends at
 * the moment the connection was lost.
 */
import { stat } from 'node:fs/promises';
import type { MediaControl, MediaControlEvents } from '@beacon/media-server';
import { createLogger } from '../logger.ts';
import type { Store } from '../store/index.ts';
import type { ConferenceRoom } from './ConferenceRoom.ts';
import type { RoomRegistry } from './RoomRegistry.ts';

const logger = createLogger('MeetingJournal');

/** How long a recording cut by its room's closing may take to be finished by the media server (default 2 min). */
const CUT_FINISH_TIMEOUT_MS = 120_000;
const CUT_POLL_MS = 250;

type RecordingFailed = MediaControlEvents['recordingfailed'][0];

export class MeetingJournal {
  readonly #registry: RoomRegistry;
  readonly #store: Store;
  readonly #media: MediaControl;
  /** Open rooms: their meeting id (once stored) and the room (to finish its recording on close). */
  readonly #running = new Map<string, { meetingId: number | undefined; room: ConferenceRoom }>();
  /** peerId → open attendance row. */
  readonly #attendance = new Map<string, number>();
  /**
   * roomId → the room's store writes, one after the other: a leave must not be written before its
   * join, nor anything after the meeting's end. Room events fire synchronously; the writes follow.
   */
  readonly #writes = new Map<string, Promise<void>>();
  readonly #onCreated = (room: ConferenceRoom) => this.#roomCreated(room);
  readonly #onClosed = ({ roomId }: { roomId: string }) => this.#roomClosed(roomId);
  readonly #onRecordingFailed = (event: RecordingFailed) => this.#recordingFailed(event);
  /** roomId → ends the wait for a cut recording's file (the media server reported it lost). */
  readonly #cuts = new Map<string, () => void>();
  #stopped = false;

  constructor(opts: { registry: RoomRegistry; store: Store; media: MediaControl }) {
    this.#registry = opts.registry;
    this.#store = opts.store;
    this.#media = opts.media;
    this.#registry.on('roomcreated', this.#onCreated);
    this.#registry.on('roomclosed', this.#onClosed);
    this.#media.on('recordingfailed', this.#onRecordingFailed);
  }

  /** Stops listening; resolves when the writes already queued are done (close the store after). */
  async stop(): Promise<void> {
    // A cut recording still being finished stays `recording` in the store: the store closes next.
    this.#stopped = true;
    for (const end of this.#cuts.values()) end();
    this.#registry.off('roomcreated', this.#onCreated);
    this.#registry.off('roomclosed', this.#onClosed);
    this.#media.off('recordingfailed', this.#onRecordingFailed);
    await this.flushed();
  }

  /** Resolves when every write queued so far is done (failures are logged, not thrown). */
  async flushed(): Promise<void> {
    await Promise.all(this.#writes.values());
  }

  /**
   * The id of the meeting running in the room, once the room's queued writes are done: a
   * request right after the room was created (a chat line, a recording) still belongs to its
   * meeting. Undefined for a room this node does not run, or one whose meeting could not be stored.
   */
  async meetingOf(roomId: string): Promise<number | undefined> {
    await this.#writes.get(roomId);
    return this.#running.get(roomId)?.meetingId;
  }

  /** Queues a write of the room's journal; a failure is logged and does not stop the later ones. */
  #write(roomId: string, what: string, write: () => Promise<void>): void {
    const next = (this.#writes.get(roomId) ?? Promise.resolve())
      .then(write)
      .catch((err: unknown) => logger.warn({ err, roomId }, `meeting journal: ${what} not stored`));
    this.#writes.set(roomId, next);
    void next.then(() => {
      if (this.#writes.get(roomId) === next) this.#writes.delete(roomId);
    });
  }

  #roomCreated(room: ConferenceRoom): void {
    const running: { meetingId: number | undefined; room: ConferenceRoom } = { meetingId: undefined, room };
    this.#running.set(room.id, running);
    this.#write(room.id, 'meeting start', async () => {
      running.meetingId = await this.#store.meetings.start(room.id);
    });
    room.on('peerjoined', (peer) => {
      this.#write(room.id, 'attendance', async () => {
        if (running.meetingId === undefined) return;
        const id = await this.#store.attendance.open({
          meetingId: running.meetingId,
          userId: peer.userId,
          displayName: peer.displayName,
          townshipId: peer.townshipId,
          joinedAt: peer.joinedAt,
        });
        this.#attendance.set(peer.peerId, id);
      });
    });
    room.on('peerleft', ({ peerId, at }) => {
      this.#write(room.id, 'attendance', async () => {
        const id = this.#attendance.get(peerId);
        this.#attendance.delete(peerId);
        if (id !== undefined) await this.#store.attendance.close(id, at.toISOString());
      });
    });
  }

  #roomClosed(roomId: string): void {
    const running = this.#running.get(roomId);
    this.#running.delete(roomId);
    if (!running) return;
    // Closing the media room ends its recorder; keep what made it to disk.
    const cut = running.room.recorder.abandon();
    if (cut) void this.#finishCutRecording(roomId, cut.recordingId, cut.startedAt);
    this.#write(roomId, 'meeting end', async () => {
      if (running.meetingId === undefined) return;
      await this.#store.meetings.end(running.meetingId);
      logger.debug({ roomId, meetingId: running.meetingId }, 'meeting ended');
    });
  }

  /**
   * The media server finishes a cut recording in the background: it stops ffmpeg, joins the segments into
   * the file, then removes the segments' work directory (media-server Recorder.ts). Reading the file's size
   * at once found nothing yet and marked a good recording failed with size 0; so wait for the work directory
   * to go (finished) or for the media server's `recordingfailed` (lost), at most CUT_FINISH_TIMEOUT_MS.
   */
  async #finishCutRecording(roomId: string, recordingId: string, startedAt: string): Promise<void> {
    const record = await this.#store.recordings.get(recordingId);
    if (!record) return;
    const workDir = record.file.replace(/\.webm$/, '.segments');
    let lost = false;
    this.#cuts.set(roomId, () => {
      lost = true;
    });
    const deadline = Date.now() + CUT_FINISH_TIMEOUT_MS;
    while (!lost && Date.now() < deadline && (await exists(workDir))) {
      await new Promise((resolve) => setTimeout(resolve, CUT_POLL_MS));
    }
    this.#cuts.delete(roomId);
    if (this.#stopped) return;
    const finished = !lost && !(await exists(workDir));
    const size = finished
      ? await stat(record.file).then(
          (s) => s.size,
          () => 0,
        )
      : 0;
    const endedAt = new Date();
    this.#write(roomId, 'cut recording', async () => {
      await this.#store.recordings.finish(recordingId, {
        status: size > 0 ? 'ready' : 'failed',
        endedAt: endedAt.toISOString(),
        durationMs: endedAt.getTime() - Date.parse(startedAt),
        size,
      });
      logger.info({ recordingId, size }, 'recording ended with its room');
    });
  }

  #recordingFailed({ roomId, reason }: RecordingFailed): void {
    this.#cuts.get(roomId)?.();
    const room = this.#registry.get(roomId);
    const failed = room?.recorder.abandon();
    logger.warn({ roomId, reason, recordingId: failed?.recordingId }, 'recording failed');
    if (!room || !failed) return;
    this.#write(roomId, 'recording failure', async () => {
      await this.#store.recordings.finish(failed.recordingId, { status: 'failed', endedAt: new Date().toISOString() });
      room.stateChanged();
    });
  }
}

async function exists(file: string): Promise<boolean> {
  return stat(file).then(
    () => true,
    () => false,
  );
}
