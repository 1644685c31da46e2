import type { ChildProcess } from 'node:child_process';
import { mkdtemp, readdir, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { setTimeout as delay } from 'node:timers/promises';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { runTool } from './ffmpegProcess.ts';
import { MediaServer } from './MediaServer.ts';
import {
  FFMPEG_OPUS_RTP_PARAMETERS,
  FFMPEG_VP8_RTP_PARAMETERS,
  loopbackOptions,
  spawnFfmpegOpus,
  spawnFfmpegVp8,
  stopProcess,
} from './testing.ts';

describe('recording (real worker, ffmpeg senders, ffmpeg recorder)', () => {
  let server: MediaServer;
  let directory: string;
  const senders: ChildProcess[] = [];

  beforeEach(async () => {
    directory = await mkdtemp(path.join(tmpdir(), 'beacon-recording-'));
    server = await MediaServer.create({ ...(await loopbackOptions()), recordingsDir: directory });
  });

  afterEach(async () => {
    await Promise.all(senders.splice(0).map(stopProcess));
    await server.close();
    await rm(directory, { recursive: true, force: true });
  });

  it('records mixed audio and one main video across segments, as long as the wall clock', async () => {
    await server.ensureRoom('r');
    const audio = await server.createPlainProducer('r', 'bob', {
      kind: 'audio',
      rtpParameters: FFMPEG_OPUS_RTP_PARAMETERS,
    });
    senders.push(spawnFfmpegOpus(audio.ip, audio.port, audio.rtcpPort));
    await delay(500);

    const startedAt = performance.now();
    const { filePath } = await server.startRecording('r', { recordingId: 'meeting-1' });
    expect(filePath).toBe(path.join(directory, 'meeting-1.webm'));
    await expect(server.startRecording('r', { recordingId: 'again' })).rejects.toMatchObject({
      code: 'invalid_state',
    });

    // A camera joins mid-way and becomes the focus: a new segment (black video before, the camera after).
    await delay(2_500);
    const video = await server.createPlainProducer('r', 'alice', {
      kind: 'video',
      rtpParameters: FFMPEG_VP8_RTP_PARAMETERS,
    });
    senders.push(spawnFfmpegVp8(video.ip, video.port, video.rtcpPort));
    server.setRecordingFocus('r', 'alice');
    await delay(3_500);

    const result = await server.stopRecording('r');
    const wallMs = performance.now() - startedAt;
    expect(result.filePath).toBe(filePath);
    expect(result.size).toBeGreaterThan(10_000);
    expect(Math.abs(result.durationMs - wallMs)).toBeLessThan(2_000);

    const probe = JSON.parse(
      await runTool('ffprobe', [
        '-v',
        'error',
        '-show_entries',
        'stream=codec_type,codec_name:format=duration',
        '-of',
        'json',
        filePath,
      ]),
    ) as { streams: { codec_type: string; codec_name: string }[]; format: { duration: string } };
    expect(probe.streams.map((s) => s.codec_type).sort()).toEqual(['audio', 'video']);
    expect(Math.abs(Number(probe.format.duration) * 1000 - wallMs)).toBeLessThan(2_000);

    const volume = await volumeDetect(filePath);
    expect(volume).toBeGreaterThan(-40);
    // The recorder's hidden peers are gone with their consumers.
    expect(server.counts()).toMatchObject({ peers: 2, consumers: 0 });
    await expect(server.stopRecording('r')).rejects.toMatchObject({ code: 'invalid_state' });
  });

  it('records a producer that arrives while the first segment is starting', async () => {
    // The room changes while the first ffmpeg is being spawned (a participant publishes just as the chair presses
    // record): the change must make a second segment after the first, not a second first segment on the same file.
    await server.ensureRoom('r');
    const first = await server.createPlainProducer('r', 'bob', {
      kind: 'audio',
      rtpParameters: FFMPEG_OPUS_RTP_PARAMETERS,
    });
    senders.push(spawnFfmpegOpus(first.ip, first.port, first.rtcpPort));
    let started = false;
    const starting = server.startRecording('r', { recordingId: 'racing' }).finally(() => {
      started = true;
    });
    // The first segment's consumer exists: its ffmpeg is being spawned.
    while (server.counts().consumers === 0) await delay(5);
    const second = await server.createPlainProducer('r', 'carol', {
      kind: 'audio',
      rtpParameters: FFMPEG_OPUS_RTP_PARAMETERS,
    });
    expect(started).toBe(false);
    senders.push(spawnFfmpegOpus(second.ip, second.port, second.rtcpPort));
    const { filePath } = await starting;
    await delay(4_500);
    const result = await server.stopRecording('r');
    expect(result.filePath).toBe(filePath);
    expect(result.size).toBeGreaterThan(1_000);
    expect(await volumeDetect(filePath)).toBeGreaterThan(-40);
    expect(server.counts()).toMatchObject({ peers: 2, consumers: 0 });
  });

  it('makes a playable file of a recording stopped as soon as it started', async () => {
    // Stopped before ffmpeg wrote a packet, a segment is a bare Matroska header that no reader opens.
    await server.ensureRoom('r');
    const { filePath } = await server.startRecording('r', { recordingId: 'at-once' });
    const result = await server.stopRecording('r');
    expect(result.filePath).toBe(filePath);
    expect(result.size).toBeGreaterThan(0);
    expect(result.durationMs).toBeGreaterThan(0);
  });

  it('refuses a recording id that is a path, and writes nothing outside the recordings directory', async () => {
    await server.ensureRoom('r');
    const outside = path.join(directory, '..', `escaped-${path.basename(directory)}`);
    for (const recordingId of ['../escaped', `../${path.basename(outside)}`, '/tmp/x', 'a/b', '.hidden', '..']) {
      await expect(server.startRecording('r', { recordingId })).rejects.toMatchObject({
        name: 'MediaError',
        code: 'recording_id_invalid',
      });
    }
    // A caller's directory is not an option any more: whatever it sends, the file lands in recordingsDir.
    const sneaky = { recordingId: 'fine', directory: outside } as { recordingId: string };
    const { filePath } = await server.startRecording('r', sneaky);
    expect(path.dirname(filePath)).toBe(directory);
    await server.stopRecording('r');
    expect(await readdir(path.dirname(outside))).not.toContain(path.basename(outside));
  });

  it('finishes the file when the room closes', async () => {
    await server.ensureRoom('r');
    const { filePath } = await server.startRecording('r', { recordingId: 'closing' });
    await delay(2_500);
    server.closeRoom('r');
    await server.close(); // waits for recordings being finished
    const out = await runTool('ffprobe', ['-v', 'error', '-show_entries', 'format=duration', '-of', 'json', filePath]);
    expect(Number((JSON.parse(out) as { format: { duration: string } }).format.duration)).toBeGreaterThan(1.5);
  });
});

/** mean_volume in dB, from ffmpeg's volumedetect (written to stderr). */
async function volumeDetect(filePath: string): Promise<number> {
  const { spawn } = await import('node:child_process');
  const child = spawn('ffmpeg', ['-nostdin', '-i', filePath, '-af', 'volumedetect', '-vn', '-f', 'null', '-']);
  let stderr = '';
  child.stderr.on('data', (chunk: Buffer) => {
    stderr += chunk.toString();
  });
  await new Promise((resolve) => child.once('exit', resolve));
  const match = stderr.match(/mean_volume: (-?[\d.]+) dB/);
  return match ? Number(match[1]) : Number.NEGATIVE_INFINITY;
}
