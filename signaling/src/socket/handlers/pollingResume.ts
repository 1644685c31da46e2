/** polling:resume — the rotation goes on, a full interval after the resume. */
import type { Handler } from '../types.ts';

export const pollingResume: Handler<'polling:resume'> = async (ctx) => {
  const { room } = ctx.session.require(ctx.registry, 'polling:resume');
  room.mainView.setPollingPaused(false);
  return {};
};
