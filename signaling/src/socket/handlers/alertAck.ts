/**
 * alert:ack — a township acknowledges (签收). The store's transaction has
 * committed before this resolves, so the ok the terminal gets survives a crash.
 */
import type { Handler } from '../types.ts';

export const alertAck: Handler<'alert:ack'> = async (ctx, { warningId }) =>
  ctx.command.warnings.ack(ctx.session.claims, warningId, 'terminal');
