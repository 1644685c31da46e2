/**
 * An H.264 test clip for the device simulator: ffmpeg's test pattern encoded
 * by libx264 (Constrained Baseline, a key frame every second, access unit
 * delimiters) written as a raw Annex B stream, cut into frames at the AUDs.
 */
import { execFile } from 'node:child_process';
import { mkdtemp, readFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';

const run = promisify(execFile);

export interface ClipFrame {
  data: Buffer;
  key: boolean;
}

/** Splits an Annex B stream at its access unit delimiters (NAL type 9). */
export function framesOf(stream: Buffer): ClipFrame[] {
  const starts: number[] = [];
  for (let i = 0; i + 4 < stream.length; i += 1) {
    if (stream[i] === 0 && stream[i + 1] === 0 && stream[i + 2] === 0 && stream[i + 3] === 1) {
      if (((stream[i + 4] as number) & 0x1f) === 9) starts.push(i);
    }
  }
  return starts.map((start, index) => {
    const data = stream.subarray(start, starts[index + 1] ?? stream.length);
    let key = false;
    for (let i = 0; i + 3 < data.length; i += 1) {
      if (data[i] === 0 && data[i + 1] === 0 && data[i + 2] === 1 && ((data[i + 3] as number) & 0x1f) === 5) key = true;
    }
    return { data, key };
  });
}

/**
 * Encodes `seconds` of 640×360 test pattern at `fps` and `kbps`; returns the frames. `noise` adds film grain
 * so the encoder really spends the bit rate (the bare pattern compresses to a fraction of it).
 */
export async function h264Clip(
  opts: { seconds?: number; fps?: number; kbps?: number; noise?: boolean } = {},
): Promise<ClipFrame[]> {
  const { seconds = 4, fps = 25, kbps = 1000, noise = false } = opts;
  const dir = await mkdtemp(path.join(tmpdir(), 'beacon-gb-clip-'));
  const file = path.join(dir, 'clip.h264');
  await run('ffmpeg', [
    ...['-hide_banner', '-loglevel', 'error', '-y'],
    ...['-f', 'lavfi', '-i', `testsrc=size=640x360:rate=${fps}`, '-t', String(seconds)],
    ...(noise ? ['-vf', 'noise=alls=12:allf=t'] : []),
    ...['-pix_fmt', 'yuv420p', '-c:v', 'libx264', '-profile:v', 'baseline', '-preset', 'veryfast'],
    ...['-b:v', `${kbps}k`, '-g', String(fps), '-bf', '0', '-x264-params', 'aud=1:repeat-headers=1'],
    ...['-f', 'h264', file],
  ]);
  return framesOf(await readFile(file));
}
