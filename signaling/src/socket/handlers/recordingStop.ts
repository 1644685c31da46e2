/** recording:stop — waits for the finished file and acks its RecordingView (failed: `recording_failed`). */
import { BeaconError } from '@beacon/protocol';
import type { Handler } from '../types.ts';
import { auditedMeetingChange } from './meetingHelpers.ts';

export const recordingStop: Handler<'recording:stop'> = async (ctx) => {
  const { room, participant } = ctx.session.require(ctx.registry, 'recording:stop');
  const recordingId = room.recorder.current?.recordingId;
  try {
    const done = await room.recorder.stop();
    await auditedMeetingChange(
      ctx,
      participant,
      'recording_stop',
      room,
      (tx) =>
        tx.recordings.finish(done.recordingId, {
          status: 'ready',
          endedAt: new Date().toISOString(),
          durationMs: done.durationMs,
          size: done.size,
          file: done.filePath,
        }),
      { recordingId, durationMs: done.durationMs },
    );
    const view = await ctx.store.recordings.get(done.recordingId);
    if (!view) throw BeaconError.notFound('recording');
    return view;
  } catch (err) {
    if (recordingId) {
      await ctx.store.recordings
        .finish(recordingId, { status: 'failed', endedAt: new Date().toISOString() })
        .catch((failure: unknown) => ctx.log.warn({ err: failure, recordingId }, 'failed recording not marked'));
    }
    throw err;
  } finally {
    room.stateChanged();
  }
};
