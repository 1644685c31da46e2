/**
 * Signed-out tokens by `jti`. Kept in the shared store rather than a node's
 * memory so that sign-out holds on every signaling node; a row is useless
 * once its token has expired, so `prune` forgets it.
 */
import type { RevokedTokenRepository } from './StoreTypes.ts';
import type { SqlQueries } from './sqlDb.ts';

export function revokedTokenRepository(db: SqlQueries): RevokedTokenRepository {
  return {
    revoke: async (jti, expiresAt) => {
      await db.run('INSERT INTO revoked_tokens (jti, expires_at) VALUES (?, ?) ON CONFLICT DO NOTHING', [
        jti,
        expiresAt.toISOString(),
      ]);
    },
    isRevoked: async (jti) => (await db.get('SELECT 1 AS one FROM revoked_tokens WHERE jti = ?', [jti])) !== undefined,
    prune: async (now = new Date()) => {
      const gone = await db.all<{ jti: string }>('SELECT jti FROM revoked_tokens WHERE expires_at < ?', [
        now.toISOString(),
      ]);
      if (gone.length > 0) await db.run('DELETE FROM revoked_tokens WHERE expires_at < ?', [now.toISOString()]);
      return gone.length;
    },
  };
}
