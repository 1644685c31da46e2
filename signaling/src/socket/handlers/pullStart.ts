/** pull:start — the duty desk pulls a township terminal's camera (监控调阅); join the returned room as audience. */
import type { Handler } from '../types.ts';

export const pullStart: Handler<'pull:start'> = async (ctx, { townshipId }) =>
  ctx.command.pull.start(ctx.session.claims, townshipId);
