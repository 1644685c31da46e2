/**
 * Who may read /metrics: a client on this machine (loopback), or a scraper
 * that sends the scrape token (`Authorization: Bearer <BEACON_METRICS_TOKEN>`).
 * Everyone else gets 403 `forbidden`: the numbers tell an outsider how busy
 * the command system is and whether sign-ins are being guessed.
 *
 * The address is express's `req.ip`: with `trust proxy` = loopback, a reverse
 * proxy on this host that sets X-Forwarded-For passes its client's address, so
 * a proxied outside request is not mistaken for a local one. A proxy that does
 * not set it makes every request look local: turn loopback trust off then
 * (BEACON_METRICS_LOOPBACK=off) and use the token.
 */
import { createHash, timingSafeEqual } from 'node:crypto';
import { BlockList, isIPv6 } from 'node:net';
import type { RequestHandler } from 'express';
import { sendError } from './http/errors.ts';

export interface MetricsAccessOptions {
  /** The scrape token; null: no token is accepted. */
  token: string | null;
  /** Serve loopback clients without a token. */
  trustLoopback: boolean;
}

export type MetricsAccess = 'loopback' | 'token' | 'refused';

// node:net's BlockList also matches IPv4-mapped IPv6 (::ffff:127.0.0.1), which a dual-stack socket reports.
const LOOPBACK = new BlockList();
LOOPBACK.addSubnet('127.0.0.0', 8, 'ipv4');
LOOPBACK.addAddress('::1', 'ipv6');

export function isLoopbackAddress(ip: string | undefined): boolean {
  if (!ip) return false;
  return LOOPBACK.check(ip, isIPv6(ip) ? 'ipv6' : 'ipv4');
}

/** Equal-length digests compared in constant time: neither the token's bytes nor its length leak through timing. */
function sameToken(presented: string, expected: string): boolean {
  const digest = (value: string) => createHash('sha256').update(value).digest();
  return timingSafeEqual(digest(presented), digest(expected));
}

/** The decision for one request: its client address and its Authorization header. */
export function decideMetricsAccess(
  opts: MetricsAccessOptions,
  request: { ip: string | undefined; authorization: string | undefined },
): MetricsAccess {
  const bearer = /^Bearer\s+(\S+)$/i.exec(request.authorization ?? '')?.[1];
  if (opts.token !== null && bearer !== undefined && sameToken(bearer, opts.token)) return 'token';
  if (opts.trustLoopback && isLoopbackAddress(request.ip)) return 'loopback';
  return 'refused';
}

export function requireMetricsAccess(opts: MetricsAccessOptions): RequestHandler {
  return (req, res, next) => {
    if (decideMetricsAccess(opts, { ip: req.ip, authorization: req.get('authorization') }) !== 'refused') {
      next();
      return;
    }
    sendError(
      res,
      'forbidden',
      'metrics are served to this machine (loopback) or with the scrape token (Authorization: Bearer …)',
    );
  };
}
