/** A meeting of a room (`GET /api/v1/rooms/:id/meetings`): one run from first join to end. */
export interface MeetingSummary {
  id: number | string;
  roomId: string;
  startedAt: string;
  endedAt: string | null;
}
