/**
 * sip:enter — the PIN a caller keyed in for a conference number. A wrong one
 * is `wrong_pin` and an audit entry naming the caller (PIN guessing shows in
 * the audit log; the gateway locks guessers out and says so with
 * sip:pinLockout); a room without a PIN lets any PIN in. A room whose PIN is
 * shorter than new rooms get (6 digits) still works, with a warning in the
 * log once per room and process, so the operator changes it.
 */

import { BeaconError, MIN_NEW_ROOM_PIN_DIGITS } from '@beacon/protocol';
import { sameSecret } from '../../auth/sameSecret.ts';
import type { Handler } from '../types.ts';
import { roomByNumber } from './sipResolve.ts';

const warnedShortPins = new Set<string>();

export const sipEnter: Handler<'sip:enter'> = async (ctx, { number, pin, caller }) => {
  const room = await roomByNumber(ctx, number);
  if (room.pin !== null && !sameSecret(room.pin, pin)) {
    await ctx.store.audit.append({
      actorId: ctx.session.claims.userId,
      action: 'sip.wrong_pin',
      target: room.id,
      detail: { number, caller: caller ?? null },
    });
    ctx.log.info({ roomId: room.id, number, caller }, 'wrong conference PIN');
    throw new BeaconError('wrong_pin', '会议密码错误 / wrong conference PIN');
  }
  if (room.pin !== null && room.pin.length < MIN_NEW_ROOM_PIN_DIGITS && !warnedShortPins.has(room.id)) {
    warnedShortPins.add(room.id);
    ctx.log.warn(
      { roomId: room.id, number, digits: room.pin.length },
      `conference PIN shorter than ${MIN_NEW_ROOM_PIN_DIGITS} digits: easy to guess, set a longer one in the admin`,
    );
  }
  return { roomId: room.id, title: room.title };
};
