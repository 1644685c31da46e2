/** sip:subscribers — digest hashes of every SIP phone, for Kamailio's subscriber table. */
import type { Handler } from '../types.ts';

export const sipSubscribers: Handler<'sip:subscribers'> = async (ctx) => ({
  realm: ctx.sip.realm,
  subscribers: await ctx.store.terminals.sipSubscribers(),
});
