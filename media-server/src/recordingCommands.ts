/**
 * The text the recorder hands to ffmpeg: the SDP of a segment's RTP inputs,
 * the segment's ffmpeg arguments, and the concat list that joins segments.
 * Pure functions, so the recording format can be read (and tested) in one
 * place.
 *
 * Every segment has the same output layout, which is what lets the concat
 * demuxer join them with `-c copy`: stream 0 is VP8 at a fixed size and
 * frame rate, stream 1 is stereo 48 kHz Opus.
 */

/** Main video of the recording: small enough to re-encode in real time next to a busy worker on a 2-core node. */
export const RECORDING_VIDEO = { width: 640, height: 360, fps: 15, bitrate: '800k' } as const;
export const RECORDING_AUDIO = { sampleRate: 48_000, bitrate: '64k' } as const;

/** One RTP stream ffmpeg receives: what a plain consumer sends, and the local port it sends to. */
export interface SdpStream {
  kind: 'audio' | 'video';
  port: number;
  payloadType: number;
  /** e.g. 'audio/opus', 'video/VP8'. */
  mimeType: string;
  clockRate: number;
  channels?: number;
}

/** Audio streams must come before video streams: the filter graph names them by per-kind index. */
export function segmentSdp(streams: SdpStream[]): string {
  const lines = ['v=0', 'o=- 0 0 IN IP4 127.0.0.1', 's=beacon-recording', 'c=IN IP4 127.0.0.1', 't=0 0'];
  for (const stream of streams) {
    const codec = stream.mimeType.split('/')[1] ?? stream.mimeType;
    const channels = stream.kind === 'audio' && stream.channels ? `/${stream.channels}` : '';
    lines.push(
      `m=${stream.kind} ${stream.port} RTP/AVP ${stream.payloadType}`,
      `a=rtpmap:${stream.payloadType} ${codec}/${stream.clockRate}${channels}`,
      'a=recvonly',
    );
  }
  return `${lines.join('\n')}\n`;
}

export interface SegmentArgsInput {
  /** null when the segment has no RTP input at all (nobody sends anything). */
  sdpPath: string | null;
  outputPath: string;
  audioStreams: number;
  hasVideo: boolean;
  /** Date.now() when ffmpeg is spawned: the segment's time zero. */
  startedAtMs: number;
  /**
   * Fill from time zero to the first frame/sample (first segment only): the
   * file's duration counts from its first timestamp, so ffmpeg's start-up and
   * the key frame wait would otherwise be cut from the recording.
   */
  padHead?: boolean;
}

/**
 * ffmpeg arguments for one segment.
 *
 * Timestamps: RTP inputs are stamped with the wall clock on arrival
 * (`-use_wallclock_as_timestamps`, same clock as Date.now()), kept
 * (`-copyts`) and shifted so the segment's spawn time is zero. So a stream
 * that starts late (key frame wait) or stalls keeps its place on the wall
 * clock; `fps` fills video gaps with repeated frames and `aresample=async=1`
 * fills audio gaps with silence. Filler sources (black video, silence) run in
 * real time (`-re`) and get wall-clock stamps too (`RTCTIME`). The concat step then places each segment at
 * its spawn time, so the file's duration follows the wall clock.
 */
export function segmentFfmpegArgs(input: SegmentArgsInput): string[] {
  const { width, height, fps, bitrate } = RECORDING_VIDEO;
  const t0 = (input.startedAtMs / 1000).toFixed(3);
  // Filler frames are generated in real time (-re) and stamped with the wall clock as they pass, like RTP packets.
  const fillerPts = `(RTCTIME-${Math.round(input.startedAtMs * 1000)})/1000000/TB`;
  // stdin stays open: 'q' on it is how the recorder stops a segment cleanly.
  const args = ['-nostats', '-loglevel', 'error', '-y'];
  let nextInput = 0;
  let rtpInput = -1;
  if (input.sdpPath) {
    // Short probing: stdin is not read until it ends, so a 'q' sent while ffmpeg still probes leaves an empty file.
    // biome-ignore format: option pairs
    args.push(
      '-protocol_whitelist', 'file,udp,rtp', '-use_wallclock_as_timestamps', '1',
      '-analyzeduration', '1000000', '-fpsprobesize', '0', '-i', input.sdpPath,
    );
    rtpInput = nextInput++;
  }
  const filters: string[] = [];
  const fpsFilter = input.padHead ? `fps=${fps}:start_time=0` : `fps=${fps}`;
  const resample = `aresample=${RECORDING_AUDIO.sampleRate}:async=1${input.padHead ? ':first_pts=0' : ''}`;
  const pad = `scale=${width}:${height}:force_original_aspect_ratio=decrease,pad=${width}:${height}:(ow-iw)/2:(oh-ih)/2`;
  if (input.hasVideo) {
    filters.push(`[${rtpInput}:v:0]setpts=PTS-${t0}/TB,${pad},setsar=1,${fpsFilter},format=yuv420p[v]`);
  } else {
    args.push('-re', '-f', 'lavfi', '-i', `color=c=black:s=${width}x${height}:r=${fps}`);
    filters.push(`[${nextInput++}:v]setpts=${fillerPts},${fpsFilter},format=yuv420p,setsar=1[v]`);
  }
  const audioFormat = `aformat=sample_fmts=fltp:sample_rates=${RECORDING_AUDIO.sampleRate}:channel_layouts=stereo`;
  if (input.audioStreams > 0) {
    const labels: string[] = [];
    for (let i = 0; i < input.audioStreams; i++) {
      filters.push(`[${rtpInput}:a:${i}]asetpts=PTS-${t0}/TB,${resample},${audioFormat}[a${i}]`);
      labels.push(`[a${i}]`);
    }
    // normalize=0: a speaker keeps their level however many others are connected (and silent).
    filters.push(
      input.audioStreams > 1
        ? `${labels.join('')}amix=inputs=${input.audioStreams}:duration=longest:normalize=0[a]`
        : '[a0]anull[a]',
    );
  } else {
    args.push('-re', '-f', 'lavfi', '-i', `anullsrc=r=${RECORDING_AUDIO.sampleRate}:cl=stereo`);
    filters.push(`[${nextInput++}:a]asetpts=${fillerPts},${resample},${audioFormat}[a]`);
  }
  // biome-ignore format: option pairs
  args.push(
    '-copyts', '-filter_complex', filters.join(';'), '-map', '[v]', '-map', '[a]',
    '-c:v', 'libvpx', '-deadline', 'realtime', '-cpu-used', '8', '-b:v', bitrate, '-g', String(fps * 2),
    '-c:a', 'libopus', '-b:a', RECORDING_AUDIO.bitrate,
    '-f', 'matroska', input.outputPath,
  );
  return args;
}

export interface SegmentFile {
  path: string;
  /** Wall time from this segment's start to the next one's; undefined for the last. */
  durationSeconds?: number;
}

/**
 * ffconcat list: each declared duration places the next segment at its own
 * start time, so gaps (and the short overlap while one segment hands over to
 * the next) keep the wall-clock timeline instead of shifting what follows.
 */
export function concatList(segments: SegmentFile[]): string {
  const lines = ['ffconcat version 1.0'];
  for (const segment of segments) {
    lines.push(`file '${segment.path.replaceAll("'", "'\\''")}'`);
    if (segment.durationSeconds !== undefined) {
      // Segments overlap while the next one takes over: `outpoint` drops the tail that the next segment
      // also recorded (`duration` alone only places the next file, the overlap would play twice).
      lines.push(`duration ${segment.durationSeconds.toFixed(3)}`, `outpoint ${segment.durationSeconds.toFixed(3)}`);
    }
  }
  return `${lines.join('\n')}\n`;
}

export function concatArgs(listPath: string, outputPath: string): string[] {
  // biome-ignore format: option pairs
  return [
    '-nostdin', '-nostats', '-loglevel', 'error', '-y',
    '-f', 'concat', '-safe', '0', '-i', listPath,
    '-map', '0:v', '-map', '0:a', '-c', 'copy', '-f', 'webm', outputPath,
  ];
}
