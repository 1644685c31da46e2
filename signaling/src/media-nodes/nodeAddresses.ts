/**
 * The addresses a media node is registered under, as far as signaling can
 * vouch for them: its control URL's host (from MEDIA_NODES or its signed
 * Redis entry; a host name resolved through DNS) and, over mutual TLS, the
 * IP addresses its certificate names (issued by Beacon's CA with
 * `npm run media-node-cert -- --names …`). A cascade pipe goes only to one of
 * these: the endpoint a node reports for its pipe transport is the node's own
 * say-so, and a node that reported another host's address would have the
 * other node stream a room's media there.
 */
import { lookup } from 'node:dns/promises';
import { isIP } from 'node:net';
import { PlainTargets } from '@beacon/media-server';

/** The IP addresses in a certificate's subjectAltName as Node prints it (`DNS:…, IP Address:…, URI:…`). */
export function certificateIps(subjectAltName: string | undefined): string[] {
  return (subjectAltName ?? '')
    .split(',')
    .map((entry) => entry.trim())
    .filter((entry) => entry.startsWith('IP Address:'))
    .map((entry) => entry.slice('IP Address:'.length))
    .filter((ip) => isIP(ip) !== 0);
}

/** The control URL's host (resolved when a name) and the certificate's addresses; unique, in that order. */
export async function registeredAddresses(url: string, certificateAddresses: readonly string[]): Promise<string[]> {
  const host = new URL(url).hostname.replace(/^\[|\]$/g, '');
  const hostAddresses =
    isIP(host) !== 0
      ? [host]
      : await lookup(host, { all: true, verbatim: true }).then(
          (found) => found.map((entry) => entry.address),
          // A name that does not resolve vouches for nothing; the certificate's addresses may still.
          () => [],
        );
  return [...new Set([...hostAddresses, ...certificateAddresses])];
}

/** True when `ip` is one of `registered` (IPv4-mapped IPv6 and other spellings compared as addresses). */
export function isRegisteredAddress(ip: string, registered: readonly string[]): boolean {
  if (isIP(ip) === 0 || registered.length === 0) return false;
  return new PlainTargets(registered).allows(ip);
}
