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
import { statSync } from 'node:fs';
import type { MediaControl, MediaControlEvents } from '@beacon/media-server';
import { createLogger } from '../logger.ts';
import type { Store } from '../store/index.ts';
import type { ConferenceRoom } from './ConferenceRoom.ts';
import type { RoomRegistry } from './RoomRegistry.ts';

const logger = createLogger('MeetingJournal');

type RecordingFailed = MediaControlEvents['recordingfailed'][0];

export class MeetingJournal {
  readonly #registry: RoomRegistry;
  readonly #store: Store;
  readonly #media: MediaControl;
  /** Open rooms: their meeting id and the room (to finish its recording on close). */
  readonly #running = new Map<string, { meetingId: number; room: ConferenceRoom }>();
  /** peerId → open attendance row. */
  readonly #attendance = new Map<string, number>();
  readonly #onCreated = (room: ConferenceRoom) => this.#roomCreated(room);
  readonly #onClosed = ({ roomId }: { roomId: string }) => this.#roomClosed(roomId);
  readonly #onRecordingFailed = (event: RecordingFailed) => this.#recordingFailed(event);

  constructor(opts: { registry: RoomRegistry; store: Store; media: MediaControl }) {
    this.#registry = opts.registry;
    this.#store = opts.store;
    this.#media = opts.media;
    this.#registry.on('roomcreated', this.#onCreated);
    this.#registry.on('roomclosed', this.#onClosed);
    this.#media.on('recordingfailed', this.#onRecordingFailed);
  }

  stop(): void {
    this.#registry.off('roomcreated', this.#onCreated);
    this.#registry.off('roomclosed', this.#onClosed);
    this.#media.off('recordingfailed', this.#onRecordingFailed);
  }

  #roomCreated(room: ConferenceRoom): void {
    const meetingId = this.#store.meetings.start(room.id);
    this.#running.set(room.id, { meetingId, room });
    room.on('peerjoined', (peer) => {
      const id = this.#store.attendance.open({
        meetingId,
        userId: peer.userId,
        displayName: peer.displayName,
        townshipId: peer.townshipId,
        joinedAt: peer.joinedAt,
      });
      this.#attendance.set(peer.peerId, id);
    });
    room.on('peerleft', ({ peerId, at }) => {
      const id = this.#attendance.get(peerId);
      this.#attendance.delete(peerId);
      if (id !== undefined && this.#store.isReady()) this.#store.attendance.close(id, at.toISOString());
    });
  }

  #roomClosed(roomId: string): void {
    const running = this.#running.get(roomId);
    this.#running.delete(roomId);
    if (!running || !this.#store.isReady()) return;
    // Closing the media room ends its recorder; keep what made it to disk.
    const cut = running.room.recorder.abandon();
    if (cut) this.#finishCutRecording(cut.recordingId, cut.startedAt);
    this.#store.meetings.end(running.meetingId);
    logger.debug({ roomId, meetingId: running.meetingId }, 'meeting ended');
  }

  #finishCutRecording(recordingId: string, startedAt: string): void {
    const record = this.#store.recordings.get(recordingId);
    if (!record) return;
    const endedAt = new Date();
    let size = 0;
    try {
      size = statSync(record.file).size;
    } catch {
      // No file: nothing was written.
    }
    this.#store.recordings.finish(recordingId, {
      status: size > 0 ? 'ready' : 'failed',
      endedAt: endedAt.toISOString(),
      durationMs: endedAt.getTime() - Date.parse(startedAt),
      size,
    });
    logger.info({ recordingId, size }, 'recording ended with its room');
  }

  #recordingFailed({ roomId, reason }: RecordingFailed): void {
    const room = this.#registry.get(roomId);
    const failed = room?.recorder.abandon();
    logger.warn({ roomId, reason, recordingId: failed?.recordingId }, 'recording failed');
    if (!room || !failed) return;
    this.#store.recordings.finish(failed.recordingId, { status: 'failed', endedAt: new Date().toISOString() });
    room.stateChanged();
  }
}
