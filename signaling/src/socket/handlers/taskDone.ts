/** task:done — a township reports a dispatch task done, with a note. */
import type { Handler } from '../types.ts';

export const taskDone: Handler<'task:done'> = async (ctx, { taskId, note }) =>
  ctx.command.tasks.done(ctx.session.claims, taskId, note);
