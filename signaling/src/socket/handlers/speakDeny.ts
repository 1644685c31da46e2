/** speak:deny — the request leaves the queue and the requester hears `speak:result { granted: false }`. */
import type { Handler } from '../types.ts';

export const speakDeny: Handler<'speak:deny'> = async (ctx, { peerId }) => {
  const { room } = ctx.session.require(ctx.registry, 'speak:deny');
  room.mainView.denySpeak(peerId);
  return {};
};
