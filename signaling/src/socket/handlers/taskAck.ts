/** task:ack — a township confirms it received a dispatch task. */
import type { Handler } from '../types.ts';

export const taskAck: Handler<'task:ack'> = async (ctx, { taskId }) =>
  ctx.command.tasks.ack(ctx.session.claims, taskId);
