import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { MediaServer } from '@beacon/media-server';
import { loopbackOptions } from '@beacon/media-server/testing';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { RoomRecorder } from './RoomRecorder.ts';

describe('RoomRecorder (real media server, ffmpeg)', () => {
  let media: MediaServer;
  let directory: string;

  beforeEach(async () => {
    directory = await mkdtemp(path.join(tmpdir(), 'beacon-room-recorder-'));
    media = await MediaServer.create({
      ...(await loopbackOptions()),
      recordingsDir: path.join(directory, 'recordings'),
    });
    await media.ensureRoom('r');
  });

  afterEach(async () => {
    await media.close();
    await rm(directory, { recursive: true, force: true });
  });

  it('answers a second start while the first is starting with invalid_state, and records once', async () => {
    // Two chairs press record at the same moment: one recording, and the other is told it is already recording.
    const recorder = new RoomRecorder('r', media);
    const [first, second] = await Promise.allSettled([recorder.start(), recorder.start()]);
    expect(first.status).toBe('fulfilled');
    expect(second).toMatchObject({ status: 'rejected', reason: { code: 'invalid_state' } });
    expect(recorder.current?.recordingId).toBe(first.status === 'fulfilled' ? first.value.recordingId : null);
    const stopped = await recorder.stop();
    expect(stopped.size).toBeGreaterThan(0);
  });

  it('may start again after a start that failed', async () => {
    const recorder = new RoomRecorder('r', media);
    // The recordings directory is in the way (a file): the start fails; once it is cleared, a start works.
    await writeFile(path.join(directory, 'recordings'), '');
    await expect(recorder.start()).rejects.toMatchObject({ code: 'recording_failed' });
    await rm(path.join(directory, 'recordings'));
    const started = await recorder.start();
    expect(recorder.current?.recordingId).toBe(started.recordingId);
    await recorder.stop();
  });
});
