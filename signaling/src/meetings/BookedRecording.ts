/**
 * "Record when it starts": when a booked meeting that asks for it starts, its
 * room's recording starts with the first participant in the room (a room
 * nobody has entered has no media to record), exactly as the chair's
 * 开始录制 would (rooms/RoomRecorder.ts, a recordings row with the meeting);
 * it ends with the room or when the chair stops it. A failure is logged and
 * audited — the meeting goes on unrecorded, and the chair can start it by hand.
 *
 * Scaled out, only the node that hosts the room can record it: a booking
 * whose room lives on another node is not recorded automatically.
 */
import { type AuditActor, auditedChange } from '../audit/auditedChange.ts';
import { createLogger } from '../logger.ts';
import type { ConferenceRoom } from '../rooms/ConferenceRoom.ts';
import type { MeetingJournal } from '../rooms/MeetingJournal.ts';
import type { RoomRegistry } from '../rooms/RoomRegistry.ts';
import type { Store } from '../store/index.ts';
import type { MeetingScheduler, MeetingSchedulerEvents } from './MeetingScheduler.ts';

const logger = createLogger('BookedRecording');
/** How long a started booking waits for its room to open before its automatic recording is given up. */
const WAIT_MS = 2 * 60 * 60_000;
const SYSTEM_AUDIT: AuditActor = { actorId: 'system', role: 'service' };

export class BookedRecording {
  readonly #registry: RoomRegistry;
  readonly #scheduler: MeetingScheduler;
  readonly #store: Store;
  readonly #journal: MeetingJournal;
  /** Rooms waiting for their first participant → the booking and until when it waits. */
  readonly #waiting = new Map<string, { bookingId: string; until: number }>();
  readonly #onOpen = ({ roomId, bookingId, record }: MeetingSchedulerEvents['open'][0]) => {
    if (!record) return;
    this.#waiting.set(roomId, { bookingId, until: Date.now() + WAIT_MS });
    const room = this.#registry.get(roomId);
    if (room && room.size > 0) void this.#start(room);
    else if (room) this.#watch(room);
  };
  readonly #onRoom = (room: ConferenceRoom) => {
    if (this.#waiting.has(room.id)) this.#watch(room);
  };

  constructor(opts: {
    registry: RoomRegistry;
    scheduler: MeetingScheduler;
    store: Store;
    journal: MeetingJournal;
  }) {
    this.#registry = opts.registry;
    this.#scheduler = opts.scheduler;
    this.#store = opts.store;
    this.#journal = opts.journal;
    this.#scheduler.on('open', this.#onOpen);
    this.#registry.on('roomcreated', this.#onRoom);
  }

  close(): void {
    this.#scheduler.off('open', this.#onOpen);
    this.#registry.off('roomcreated', this.#onRoom);
    this.#waiting.clear();
  }

  #watch(room: ConferenceRoom): void {
    room.once('peerjoined', () => void this.#start(room));
  }

  async #start(room: ConferenceRoom): Promise<void> {
    const waiting = this.#waiting.get(room.id);
    this.#waiting.delete(room.id);
    if (!waiting || waiting.until < Date.now() || room.recorder.current) return;
    try {
      const started = await room.recorder.start();
      const meetingId = (await this.#journal.meetingOf(room.id)) ?? null;
      // The recording's row and its audit entry commit together.
      await auditedChange(
        this.#store,
        SYSTEM_AUDIT,
        (tx) =>
          tx.recordings.create({
            id: started.recordingId,
            roomId: room.id,
            meetingId,
            startedAt: started.startedAt,
            file: started.filePath,
          }),
        () => ({
          action: 'meeting.recording_start',
          target: waiting.bookingId,
          detail: { roomId: room.id, recordingId: started.recordingId },
        }),
      );
      room.stateChanged();
    } catch (err) {
      logger.warn({ err, roomId: room.id, bookingId: waiting.bookingId }, 'booked recording not started');
      await this.#audit('meeting.recording_failed', waiting.bookingId, { roomId: room.id }).catch(() => undefined);
    }
  }

  #audit(action: string, bookingId: string, detail: Record<string, unknown>): Promise<void> {
    return this.#store.audit.append({ ...SYSTEM_AUDIT, action, target: bookingId, detail });
  }
}
