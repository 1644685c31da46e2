/**
 * The links up (上联) the rooms' chairs want (upstream_links): a row while a
 * chair wants the room linked up, so a signaling restart redials it. What the
 * call is doing right now is never stored — it is the gateway's, and gone
 * with a restart anyway.
 */
import type { SqlQueries } from './sqlDb.ts';

export interface WantedUpstreamLink {
  roomId: string;
  /** Our side muted toward the upstream. */
  sendMuted: boolean;
}

export interface UpstreamLinkRepository {
  /** The chair wants the room linked up (insert or update). */
  want(link: WantedUpstreamLink): Promise<void>;
  /** Nobody wants it any more (disconnected, gave up, meeting over); nothing if no row. */
  drop(roomId: string): Promise<void>;
  /** Every wanted link, by room id. */
  wanted(): Promise<WantedUpstreamLink[]>;
}

export function upstreamLinkRepository(db: SqlQueries): UpstreamLinkRepository {
  return {
    async want({ roomId, sendMuted }) {
      await db.run(
        `INSERT INTO upstream_links (room_id, send_muted, updated_at) VALUES (?, ?, ?)
         ON CONFLICT (room_id) DO UPDATE SET send_muted = excluded.send_muted, updated_at = excluded.updated_at`,
        [roomId, sendMuted ? 1 : 0, new Date().toISOString()],
      );
    },
    async drop(roomId) {
      await db.run('DELETE FROM upstream_links WHERE room_id = ?', [roomId]);
    },
    async wanted() {
      const rows = await db.all<{ room_id: string; send_muted: number }>(
        'SELECT room_id, send_muted FROM upstream_links ORDER BY room_id',
      );
      return rows.map((r) => ({ roomId: r.room_id, sendMuted: Number(r.send_muted) === 1 }));
    },
  };
}
