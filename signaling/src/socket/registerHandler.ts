/**
 * The one path every client event takes: ack check → flood guard (rate,
 * queue bound; a flood of malformed events is still a flood) → schema validation →
 * device check (what the token may send at all) → per-socket queue → handler
 * → ack. Validation comes first, as for meeting permissions: malformed input
 * is `bad_request` whoever sends it. Nothing a client sends may crash the
 * process; every outcome is an ack with a code.
 */
import { type ClientEventName, clientEventSchemas, type ErrorBody } from '@beacon/protocol';
import { parseOrBadRequest } from '../validation.ts';
import { assertDeviceMayUse } from './deviceAccess.ts';
import { toErrorBody } from './errors.ts';
import type { FloodGuard } from './FloodGuard.ts';
import type { Handler, HandlerContext } from './types.ts';

type AckFn = (response: unknown) => void;

/** Decides where an event runs (cluster mode: on the room's owner node); default: here. */
export type Dispatch = (
  session: HandlerContext['session'],
  event: ClientEventName,
  payload: unknown,
  local: () => Promise<unknown>,
) => Promise<unknown>;

/** Told how each event ended (null: ok), after the ack is sent: metrics count outcomes here. */
export type OutcomeObserver = (event: ClientEventName, error: ErrorBody | null) => void;

export function registerHandler<E extends ClientEventName>(
  ctx: HandlerContext,
  event: E,
  handler: Handler<E>,
  dispatch?: Dispatch,
  observe?: OutcomeObserver,
  guard?: FloodGuard,
): void {
  const schema = clientEventSchemas[event];
  ctx.socket.on(event as never, (...args: unknown[]) => {
    const ack = args.at(-1);
    if (typeof ack !== 'function') {
      // Nobody to answer; doing the work anyway would hide client bugs.
      ctx.log.debug({ event }, 'event without ack ignored');
      return;
    }
    const reply = (response: { ok: true; data: unknown } | { ok: false; error: ErrorBody }) => {
      try {
        (ack as AckFn)(response);
      } catch (err) {
        ctx.log.warn({ err, event }, 'ack threw');
      }
      observe?.(event, response.ok ? null : response.error);
    };
    const refused = guard?.admit(event);
    if (refused) {
      reply({ ok: false, error: refused.toBody() });
      return;
    }
    let payload: unknown;
    try {
      payload = parseOrBadRequest(schema, args.length >= 2 ? args[0] : undefined, event);
      assertDeviceMayUse(ctx.session.claims, event);
    } catch (err) {
      reply({ ok: false, error: toErrorBody(err, ctx.log, { event }) });
      return;
    }
    const local = () => handler(ctx, payload as never);
    void ctx.session
      .run(() => (dispatch ? dispatch(ctx.session, event, payload, local) : local()))
      .then(
        (data) => reply({ ok: true, data }),
        (err: unknown) => reply({ ok: false, error: toErrorBody(err, ctx.log, { event }) }),
      );
  });
}
