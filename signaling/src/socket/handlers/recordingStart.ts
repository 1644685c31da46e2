/**
 * recording:start — the media node records the room (mixed audio, the
 * spotlight or active speaker as video) into <dataDir>/recordings; the store
 * keeps a row per recording with the meeting.
 */
import type { Handler } from '../types.ts';
import { auditMeeting } from './meetingHelpers.ts';

export const recordingStart: Handler<'recording:start'> = async (ctx) => {
  const { room, participant } = ctx.session.require(ctx.registry, 'recording:start');
  const started = await room.recorder.start();
  await ctx.store.recordings.create({
    id: started.recordingId,
    roomId: room.id,
    meetingId: (await ctx.journal.meetingOf(room.id)) ?? null,
    startedAt: started.startedAt,
    file: started.filePath,
  });
  room.stateChanged();
  await auditMeeting(ctx, participant, 'recording_start', room, { recordingId: started.recordingId });
  return { recordingId: started.recordingId };
};
