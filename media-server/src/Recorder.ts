/**
 * Records one room into one WebM file: every unpaused audio producer mixed,
 * plus one main video (the focus peer's camera, else the active speaker's,
 * else the one already shown, else the first camera), re-encoded to VP8.
 *
 * Why segments: ffmpeg cannot add or drop RTP inputs while it runs, and
 * producers come and go and the focus changes during a meeting. So the
 * recorder runs one ffmpeg per *layout* (set of producers recorded) and
 * starts a new segment when the layout changes, at most every 2 s so a
 * flapping active speaker cannot churn ffmpeg processes. The new segment is
 * listening before the old one stops, so the hand-over loses next to nothing.
 * Each segment always has one video stream (black when nobody sends video)
 * and one audio stream (silence when nobody sends audio), of the same format,
 * so at stop the concat demuxer joins them with `-c copy`, placing each at
 * its wall-clock start time (recordingCommands.ts explains the timestamps).
 *
 * States: recording -> stopping -> stopped, or recording -> failed (an ffmpeg
 * died on its own: the segments so far stay in the work directory).
 */
import { mkdir, rm, stat, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { TypedEmitter } from '@beacon/common';
import { probeDurationSeconds, runTool } from './ffmpegProcess.ts';
import { createLogger } from './logger.ts';
import type { RecordingResult, StartRecordingOptions } from './MediaControlTypes.ts';
import { MediaError } from './MediaError.ts';
import type { PlainRtpDefaults } from './plainRtp.ts';
import { RecordingSegment, type SegmentLayout, sameLayout } from './RecordingSegment.ts';
import type { Room } from './Room.ts';
import { concatArgs, concatList, type SegmentFile } from './recordingCommands.ts';

const logger = createLogger('Recorder');

/** Minimum segment length: bounds ffmpeg restarts when speakers or producers flap. */
export const MIN_SEGMENT_MS = 2_000;
/**
 * A stop this soon after the start waits for the rest: ffmpeg stopped before its first packet leaves a
 * Matroska header without clusters, which no reader opens ("Duplicate element"), and the meeting would
 * have a failed recording for a start and stop a second apart.
 */
export const MIN_RECORDING_MS = 1_500;
const RECORDING_ID = /^[A-Za-z0-9_-][A-Za-z0-9._-]{0,127}$/;

/** A recording id is a plain file name: no separator, no '..', not a dot file. */
export function isRecordingId(value: string): boolean {
  return RECORDING_ID.test(value);
}

/** Where one recording goes: the server's recordings directory, never a caller's path (Recordings.ts). */
export interface RecorderOptions extends StartRecordingOptions {
  directory: string;
}

export type RecorderEvents = { failed: [reason: string] };

type RecorderState = 'recording' | 'stopping' | 'stopped' | 'failed';

export class Recorder extends TypedEmitter<RecorderEvents> {
  readonly recordingId: string;
  readonly filePath: string;
  readonly #room: Room;
  readonly #defaults: PlainRtpDefaults;
  readonly #workDir: string;
  /** Every segment started, in order; the last one is running while recording. */
  readonly #segments: RecordingSegment[] = [];
  readonly #unsubscribe: () => void;
  #state: RecorderState = 'recording';
  #focusPeerId: string | null = null;
  #switching: Promise<void> | null = null;
  /** A layout change arrived while switching: look again afterwards. */
  #dirty = false;
  /** Segments prepared so far, failed ones included: each gets its own peer id and file, never reused. */
  #prepared = 0;
  #timer: NodeJS.Timeout | undefined;

  private constructor(room: Room, defaults: PlainRtpDefaults, options: RecorderOptions) {
    super();
    this.recordingId = options.recordingId;
    this.#room = room;
    this.#defaults = defaults;
    this.filePath = path.resolve(options.directory, `${options.recordingId}.webm`);
    this.#workDir = path.resolve(options.directory, `${options.recordingId}.segments`);
    const reconcile = () => this.#reconcile();
    room.on('producerschange', reconcile);
    room.on('activespeaker', reconcile);
    this.#unsubscribe = () => {
      room.off('producerschange', reconcile);
      room.off('activespeaker', reconcile);
    };
  }

  /** Resolves once the first segment is recording. */
  static async start(room: Room, defaults: PlainRtpDefaults, options: RecorderOptions): Promise<Recorder> {
    if (!RECORDING_ID.test(options.recordingId)) throw new TypeError(`invalid recordingId "${options.recordingId}"`);
    await mkdir(path.resolve(options.directory, `${options.recordingId}.segments`), { recursive: true });
    const recorder = new Recorder(room, defaults, options);
    // The first switch holds #switching like any other: a producer arriving while ffmpeg starts marks the recorder
    // dirty and is recorded by the next segment, instead of starting a second "first" segment beside it.
    const first = recorder.#switchTo(recorder.#layout());
    recorder.#switching = first.catch(() => undefined);
    try {
      await first;
    } catch (error) {
      recorder.#switching = null;
      recorder.#unsubscribe();
      recorder.#state = 'failed';
      throw error;
    }
    recorder.#switching = null;
    if (recorder.#dirty) {
      recorder.#dirty = false;
      recorder.#reconcile();
    }
    logger.info({ roomId: room.id, recordingId: options.recordingId }, 'recording started');
    return recorder;
  }

  get state(): RecorderState {
    return this.#state;
  }

  setFocus(peerId: string | null): void {
    this.#focusPeerId = peerId;
    this.#reconcile();
  }

  /** Stops the running segment and joins all segments into the meeting file. */
  async stop(): Promise<RecordingResult> {
    if (this.#state !== 'recording') throw new MediaError('invalid_state', `recording is ${this.#state}`);
    this.#state = 'stopping';
    this.#quiesce();
    await this.#switching?.catch(() => undefined);
    const startedAt = this.#segments[0]?.startedAt;
    if (startedAt !== undefined && Date.now() - startedAt < MIN_RECORDING_MS) {
      await new Promise((resolve) => setTimeout(resolve, startedAt + MIN_RECORDING_MS - Date.now()));
    }
    await this.#segments.at(-1)?.stop();
    try {
      const result = await this.#finish();
      this.#state = 'stopped';
      logger.info({ roomId: this.#room.id, recordingId: this.recordingId, ...result }, 'recording stopped');
      return result;
    } catch (error) {
      this.#state = 'failed';
      throw new MediaError('recording_failed', `recording "${this.recordingId}" not finished: ${String(error)}`, {
        cause: error,
      });
    }
  }

  #layout(): SegmentLayout {
    const live = this.#room.listProducers().filter((producer) => !producer.paused);
    const videos = live.filter((producer) => producer.kind === 'video');
    const ofPeer = (peerId: string | null) => (peerId === null ? undefined : videos.find((p) => p.peerId === peerId));
    const shown = this.#segments.at(-1)?.layout.video;
    const video =
      ofPeer(this.#focusPeerId) ??
      ofPeer(this.#room.activeSpeakerPeerId) ??
      videos.find((producer) => producer.id === shown) ??
      videos[0];
    return { audio: live.filter((producer) => producer.kind === 'audio').map((p) => p.id), video: video?.id ?? null };
  }

  #reconcile(): void {
    if (this.#state !== 'recording' || this.#room.closed) return;
    if (this.#switching) {
      this.#dirty = true;
      return;
    }
    const current = this.#segments.at(-1);
    const layout = this.#layout();
    if (current && sameLayout(current.layout, layout)) return;
    const wait = current ? current.startedAt + MIN_SEGMENT_MS - Date.now() : 0;
    if (wait > 0) {
      this.#timer ??= setTimeout(() => {
        this.#timer = undefined;
        this.#reconcile();
      }, wait);
      return;
    }
    this.#switching = this.#switchTo(layout)
      .catch((error: unknown) => {
        // Typically a producer closed while its consumer was being made: the change event that follows retries.
        logger.warn({ roomId: this.#room.id, recordingId: this.recordingId, err: error }, 'segment switch failed');
        this.#dirty = true;
      })
      .finally(() => {
        this.#switching = null;
        if (this.#dirty) {
          this.#dirty = false;
          this.#reconcile();
        }
      });
  }

  async #switchTo(layout: SegmentLayout): Promise<void> {
    const next = await RecordingSegment.prepare({
      room: this.#room,
      defaults: this.#defaults,
      layout,
      directory: this.#workDir,
      peerId: `recorder:${this.recordingId}:${this.#prepared++}`,
      first: this.#segments.length === 0,
    });
    if (this.#state !== 'recording') {
      await next.stop();
      return;
    }
    await next.begin();
    const previous = this.#segments.at(-1);
    this.#segments.push(next);
    void next.exited.then(({ requested, reason }) => {
      if (!requested && this.#state === 'recording') this.#fail(reason);
    });
    logger.debug({ roomId: this.#room.id, recordingId: this.recordingId, layout }, 'recording segment started');
    await previous?.stop();
  }

  #fail(reason: string): void {
    this.#state = 'failed';
    this.#quiesce();
    logger.error({ roomId: this.#room.id, recordingId: this.recordingId, reason }, 'recording failed');
    void Promise.all(this.#segments.map((segment) => segment.stop())).finally(() => this.safeEmit('failed', reason));
  }

  #quiesce(): void {
    clearTimeout(this.#timer);
    this.#unsubscribe();
  }

  async #finish(): Promise<RecordingResult> {
    const files: { path: string; startedAt: number }[] = [];
    for (const segment of this.#segments) {
      // A segment stopped before ffmpeg wrote a packet (it ended while probing) is a bare header or nothing:
      // the concat demuxer cannot open it and would fail the whole recording, so only readable ones are joined.
      const seconds = await probeDurationSeconds(segment.filePath).catch(() => Number.NaN);
      if (seconds > 0) files.push({ path: segment.filePath, startedAt: segment.startedAt });
      else
        logger.debug(
          { roomId: this.#room.id, recordingId: this.recordingId, file: segment.filePath },
          'empty segment left out',
        );
    }
    if (files.length === 0) throw new Error('no segment produced any media');
    const list: SegmentFile[] = files.map((file, i) => {
      const next = files[i + 1];
      return { path: file.path, durationSeconds: next ? (next.startedAt - file.startedAt) / 1000 : undefined };
    });
    const listPath = path.join(this.#workDir, 'segments.ffconcat');
    await writeFile(listPath, concatList(list));
    await runTool('ffmpeg', concatArgs(listPath, this.filePath));
    const [durationSeconds, { size }] = await Promise.all([probeDurationSeconds(this.filePath), stat(this.filePath)]);
    await rm(this.#workDir, { recursive: true, force: true });
    return { filePath: this.filePath, durationMs: Math.round(durationSeconds * 1000), size };
  }
}
