/** speak:cancel — lower the hand again. */
import type { Handler } from '../types.ts';

export const speakCancel: Handler<'speak:cancel'> = async (ctx) => {
  const { room, participant } = ctx.session.require(ctx.registry, 'speak:cancel');
  room.mainView.cancelSpeak(participant);
  return {};
};
