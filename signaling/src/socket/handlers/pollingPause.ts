/** polling:pause — the rotation holds on the peer on view now. */
import type { Handler } from '../types.ts';

export const pollingPause: Handler<'polling:pause'> = async (ctx) => {
  const { room } = ctx.session.require(ctx.registry, 'polling:pause');
  room.mainView.setPollingPaused(true);
  return {};
};
