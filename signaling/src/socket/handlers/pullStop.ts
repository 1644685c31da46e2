/** pull:stop — the terminal stops sending its camera for the pull. */
import type { Handler } from '../types.ts';

export const pullStop: Handler<'pull:stop'> = async (ctx, { townshipId }) => {
  await ctx.command.pull.stop(ctx.session.claims, townshipId);
  return {};
};
