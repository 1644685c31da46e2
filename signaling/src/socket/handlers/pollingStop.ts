/** polling:stop — the rotation ends and the main view goes back to the active speaker. */
import type { Handler } from '../types.ts';

export const pollingStop: Handler<'polling:stop'> = async (ctx) => {
  const { room } = ctx.session.require(ctx.registry, 'polling:stop');
  room.mainView.stopPolling();
  return {};
};
