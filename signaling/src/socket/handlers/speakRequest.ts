/** speak:request — raise a hand (申请发言): queued in order, once per peer. */
import type { Handler } from '../types.ts';

export const speakRequest: Handler<'speak:request'> = async (ctx) => {
  const { room, participant } = ctx.session.require(ctx.registry, 'speak:request');
  room.mainView.requestSpeak(participant);
  return {};
};
