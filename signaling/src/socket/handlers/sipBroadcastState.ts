/** sip:broadcastState — progress of a loudspeaker broadcast: kept on the warning's loudspeaker row (the board). */
import type { Handler } from '../types.ts';

export const sipBroadcastState: Handler<'sip:broadcastState'> = async (ctx, input) => {
  ctx.log.debug(input, 'broadcast progress');
  await ctx.command.loudspeakers.progress(input);
  return {};
};
