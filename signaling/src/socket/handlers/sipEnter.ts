/**
 * sip:enter — the PIN a caller keyed in for a conference number. A wrong one
 * is `wrong_pin` and an audit entry (PIN guessing shows in the audit log); a
 * room without a PIN lets any PIN in.
 */

import { BeaconError } from '@beacon/protocol';
import { sameSecret } from '../../auth/sameSecret.ts';
import type { Handler } from '../types.ts';
import { roomByNumber } from './sipResolve.ts';

export const sipEnter: Handler<'sip:enter'> = async (ctx, { number, pin }) => {
  const room = await roomByNumber(ctx, number);
  if (room.pin !== null && !sameSecret(room.pin, pin)) {
    await ctx.store.audit.append({
      actorId: ctx.session.claims.userId,
      action: 'sip.wrong_pin',
      target: room.id,
      detail: { number },
    });
    ctx.log.info({ roomId: room.id, number }, 'wrong conference PIN');
    throw new BeaconError('wrong_pin', '会议密码错误 / wrong conference PIN');
  }
  return { roomId: room.id, title: room.title };
};
