/**
 * recording:start — the media node records the room (mixed audio, the
 * spotlight or active speaker as video) into <dataDir>/recordings; the store
 * keeps a row per recording with the meeting.
 */
import type { Handler } from '../types.ts';
import { auditedMeetingChange } from './meetingHelpers.ts';

export const recordingStart: Handler<'recording:start'> = async (ctx) => {
  const { room, participant } = ctx.session.require(ctx.registry, 'recording:start');
  const started = await room.recorder.start();
  const meetingId = (await ctx.journal.meetingOf(room.id)) ?? null;
  await auditedMeetingChange(
    ctx,
    participant,
    'recording_start',
    room,
    (tx) =>
      tx.recordings.create({
        id: started.recordingId,
        roomId: room.id,
        meetingId,
        startedAt: started.startedAt,
        file: started.filePath,
      }),
    { recordingId: started.recordingId },
  );
  room.stateChanged();
  return { recordingId: started.recordingId };
};
