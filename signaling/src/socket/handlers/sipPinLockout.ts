/**
 * sip:pinLockout — the gateway locked a caller or a conference number out of
 * PIN entry after too many wrong PINs (sip-gateway PinGuard): an audit entry,
 * so PIN guessing and its lockouts show in the audit log next to each
 * `sip.wrong_pin`.
 */
import type { Handler } from '../types.ts';
import { roomByNumber } from './sipResolve.ts';

export const sipPinLockout: Handler<'sip:pinLockout'> = async (
  ctx,
  { scope, number, caller, failures, lockedForMs },
) => {
  // The number may have been deleted meanwhile: the lockout is still worth its row.
  const roomId = await roomByNumber(ctx, number).then(
    (room) => room.id,
    () => null,
  );
  await ctx.store.audit.append({
    actorId: ctx.session.claims.userId,
    action: 'sip.pin_lockout',
    target: roomId ?? number,
    detail: { scope, number, caller, failures, lockedForMs },
  });
  ctx.log.warn({ scope, number, caller, failures, lockedForMs }, 'conference PIN entry locked');
  return {};
};
