/** auth:renew — the client's renewed token for this socket, which then stays open past the old one's expiry. */
import { adoptRenewedToken } from '../tokenLifetime.ts';
import type { Handler } from '../types.ts';

export const authRenew: Handler<'auth:renew'> = (ctx, { token }) => adoptRenewedToken(ctx, token);
