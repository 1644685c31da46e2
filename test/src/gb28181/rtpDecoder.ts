/**
 * A plain-RTP viewer that decodes: ffmpeg listens on a UDP port for H.264 RTP
 * (as a mediasoup plain consumer sends it, RTCP muxed) and decodes it; the
 * number of decoded frames says the picture is real H.264, not only packets.
 */
import { spawn } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';

export interface RtpDecoder {
  /** Resolves with the frames decoded once `frames` were, or when the time ran out (fewer). */
  done: Promise<number>;
  stop(): void;
}

export async function decodeH264Rtp(opts: {
  port: number;
  payloadType: number;
  frames: number;
  timeoutMs: number;
}): Promise<RtpDecoder> {
  const dir = await mkdtemp(path.join(tmpdir(), 'beacon-gb-decode-'));
  const sdpFile = path.join(dir, 'view.sdp');
  const pt = opts.payloadType;
  const sdp = [
    'v=0',
    'o=- 0 0 IN IP4 127.0.0.1',
    's=camera',
    'c=IN IP4 127.0.0.1',
    't=0 0',
    `m=video ${opts.port} RTP/AVP ${pt}`,
    `a=rtpmap:${pt} H264/90000`,
    `a=fmtp:${pt} packetization-mode=1`,
    'a=rtcp-mux',
    '',
  ].join('\n');
  await writeFile(sdpFile, sdp);
  const ffmpeg = spawn(
    'ffmpeg',
    [
      ...['-hide_banner', '-nostats', '-loglevel', 'error'],
      ...['-protocol_whitelist', 'file,udp,rtp', '-i', sdpFile],
      ...['-frames:v', String(opts.frames), '-f', 'framemd5', '-'],
    ],
    { stdio: ['ignore', 'pipe', 'ignore'] },
  );
  let frames = 0;
  let rest = '';
  ffmpeg.stdout.on('data', (chunk: Buffer) => {
    const lines = (rest + chunk.toString()).split('\n');
    rest = lines.pop() ?? '';
    frames += lines.filter((line) => line.trim() !== '' && !line.startsWith('#')).length;
  });
  const timer = setTimeout(() => ffmpeg.kill('SIGKILL'), opts.timeoutMs);
  const done = new Promise<number>((resolve) => {
    ffmpeg.on('close', () => {
      clearTimeout(timer);
      void rm(dir, { recursive: true, force: true });
      resolve(frames);
    });
  });
  return { done, stop: () => ffmpeg.kill('SIGKILL') };
}
