/**
 * sip:legToken — a token for one phone call's own socket (claims `device:
 * 'phone'`), valid 24 h: long enough for any meeting, and the leg resumes
 * with it after a signaling hiccup. Who the phone is: sip/phoneIdentity.ts.
 */
import { legClaims } from '../../sip/phoneIdentity.ts';
import type { Handler } from '../types.ts';

const LEG_TOKEN_TTL_SECONDS = 24 * 3600;

export const sipLegToken: Handler<'sip:legToken'> = async (ctx, call) => {
  const claims = await legClaims(ctx.store, call);
  const { token } = await ctx.tokens.issue(claims, { ttlSeconds: LEG_TOKEN_TTL_SECONDS });
  ctx.log.debug({ callId: call.callId, userId: claims.userId, role: claims.role }, 'leg token issued');
  return { token, displayName: claims.displayName, townshipId: claims.townshipId };
};
