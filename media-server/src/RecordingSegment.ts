/**
 * One segment of a recording: plain RTP consumers of a fixed set of producers
 * (every audio producer, at most one video) feeding one ffmpeg process that
 * writes one Matroska file. The recorder replaces the segment whenever that
 * set changes; see Recorder.ts.
 *
 * Start-up order matters for the first key frame: consumers are created
 * paused, ffmpeg is spawned and we wait until it has bound its ports, and only
 * then (`begin`) the consumers resume and a key frame is requested.
 */
import { writeFile } from 'node:fs/promises';
import path from 'node:path';
import type { types as ms } from 'mediasoup';
import { FfmpegProcess } from './ffmpegProcess.ts';
import { createLogger } from './logger.ts';
import { createPlainConsumer, type PlainRtpDefaults } from './plainRtp.ts';
import type { Room } from './Room.ts';
import { type SdpStream, segmentFfmpegArgs, segmentSdp } from './recordingCommands.ts';
import { reserveUdpPortPairs, waitUdpBound } from './udpPorts.ts';

const logger = createLogger('RecordingSegment');

const BIND_TIMEOUT_MS = 3_000;
/** A second key frame request, in case the first key frame was lost or arrived while ffmpeg was still probing. */
const SECOND_KEY_FRAME_MS = 1_000;

/** Which producers a segment records. Audio ids in room order. */
export interface SegmentLayout {
  audio: string[];
  video: string | null;
}

export function sameLayout(a: SegmentLayout, b: SegmentLayout): boolean {
  return a.video === b.video && a.audio.length === b.audio.length && a.audio.every((id, i) => b.audio[i] === id);
}

export interface SegmentInput {
  room: Room;
  defaults: PlainRtpDefaults;
  layout: SegmentLayout;
  /** Where the segment's .sdp and .mkv go. */
  directory: string;
  /** Unique within the room: the segment's consumers belong to this hidden peer. */
  peerId: string;
  /** The recording's first segment: pad from spawn time to the first media (see recordingCommands.ts). */
  first: boolean;
}

export class RecordingSegment {
  readonly layout: SegmentLayout;
  readonly filePath: string;
  /** Date.now() at ffmpeg spawn: the segment's time zero. */
  readonly startedAt: number;
  readonly #room: Room;
  readonly #peerId: string;
  readonly #consumerIds: string[];
  readonly #ffmpeg: FfmpegProcess;
  #keyFrameTimer: NodeJS.Timeout | undefined;
  #stopping = false;

  private constructor(
    input: SegmentInput,
    filePath: string,
    consumerIds: string[],
    startedAt: number,
    ffmpeg: FfmpegProcess,
  ) {
    this.layout = input.layout;
    this.filePath = filePath;
    this.startedAt = startedAt;
    this.#room = input.room;
    this.#peerId = input.peerId;
    this.#consumerIds = consumerIds;
    this.#ffmpeg = ffmpeg;
  }

  /** Consumers created paused and ffmpeg listening; call `begin` to let media flow. */
  static async prepare(input: SegmentInput): Promise<RecordingSegment> {
    const { room, layout, peerId } = input;
    const producerIds = layout.video ? [...layout.audio, layout.video] : layout.audio;
    const filePath = path.join(input.directory, `${peerId.replaceAll(':', '-')}.mkv`);
    const sdpPath = path.join(input.directory, `${peerId.replaceAll(':', '-')}.sdp`);
    let ffmpeg: FfmpegProcess | undefined;
    try {
      const ports = await reserveUdpPortPairs(producerIds.length);
      const streams: SdpStream[] = [];
      const consumerIds: string[] = [];
      for (const [i, producerId] of producerIds.entries()) {
        const port = ports[i] as number;
        const consumer = await createPlainConsumer(
          room,
          peerId,
          producerId,
          { remoteIp: '127.0.0.1', remotePort: port, listenIp: '127.0.0.1', paused: true },
          input.defaults,
        );
        consumerIds.push(consumer.consumerId);
        streams.push(sdpStream(consumer.rtpParameters, port, producerId === layout.video ? 'video' : 'audio'));
      }
      if (streams.length > 0) await writeFile(sdpPath, segmentSdp(streams));
      const startedAt = Date.now();
      ffmpeg = await FfmpegProcess.start(
        segmentFfmpegArgs({
          sdpPath: streams.length > 0 ? sdpPath : null,
          outputPath: filePath,
          audioStreams: layout.audio.length,
          hasVideo: layout.video !== null,
          startedAtMs: startedAt,
          padHead: input.first,
        }),
      );
      const segment = new RecordingSegment(input, filePath, consumerIds, startedAt, ffmpeg);
      const started = ffmpeg;
      const bound = await waitUdpBound(ports, BIND_TIMEOUT_MS, () => started.alive);
      if (!started.alive) throw new Error(`ffmpeg exited at start: ${started.stderrTail || 'no output'}`);
      if (!bound) logger.warn({ roomId: room.id, peerId }, 'ffmpeg ports not seen bound; starting anyway');
      return segment;
    } catch (error) {
      await ffmpeg?.stop();
      if (!room.closed) room.closePeer(peerId);
      throw error;
    }
  }

  /** Resolves when ffmpeg exits; `requested` false means it died on its own (a failure). */
  get exited(): Promise<{ requested: boolean; reason: string }> {
    return this.#ffmpeg.exited.then(({ code, signal }) => ({
      requested: this.#stopping,
      reason: `ffmpeg exited (code ${code}, signal ${signal}): ${this.#ffmpeg.stderrTail || 'no output'}`,
    }));
  }

  async begin(): Promise<void> {
    for (const consumerId of this.#consumerIds) await this.#room.resumeConsumer(this.#peerId, consumerId);
    this.#requestKeyFrame();
    this.#keyFrameTimer = setTimeout(() => this.#requestKeyFrame(), SECOND_KEY_FRAME_MS);
    this.#keyFrameTimer.unref();
  }

  /** Lets ffmpeg finish the file, then closes the consumers. */
  async stop(): Promise<void> {
    this.#stopping = true;
    clearTimeout(this.#keyFrameTimer);
    await this.#ffmpeg.stop();
    if (this.#ffmpeg.stderrTail) {
      logger.warn({ roomId: this.#room.id, peerId: this.#peerId, stderr: this.#ffmpeg.stderrTail }, 'ffmpeg reported');
    }
    if (!this.#room.closed) this.#room.closePeer(this.#peerId);
  }

  #requestKeyFrame(): void {
    if (this.#stopping || this.#room.closed) return;
    for (const consumerId of this.#consumerIds) {
      let consumer: ms.Consumer;
      try {
        consumer = this.#room.consumer(this.#peerId, consumerId);
      } catch {
        continue; // its producer closed meanwhile; the recorder is already moving to a new segment
      }
      if (consumer.kind !== 'video') continue;
      consumer.requestKeyFrame().catch((error: unknown) => {
        logger.debug({ roomId: this.#room.id, consumerId, err: error }, 'key frame request failed');
      });
    }
  }
}

function sdpStream(rtpParameters: ms.RtpParameters, port: number, kind: 'audio' | 'video'): SdpStream {
  // The media codec comes first; RTX (if any) is never sent to a receiver that does not NACK.
  const codec = rtpParameters.codecs[0];
  if (!codec) throw new Error('plain consumer without codec');
  return {
    kind,
    port,
    payloadType: codec.payloadType,
    mimeType: codec.mimeType,
    clockRate: codec.clockRate,
    channels: codec.channels,
  };
}
