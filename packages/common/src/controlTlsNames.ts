/**
 * The names in the certificates of the media-node control channel (mutual
 * TLS under Beacon's CA): signaling's client certificate carries
 * `URI:urn:beacon:signaling`, a media node's server certificate
 * `URI:urn:beacon:media-node:<nodeId>` beside its addresses. Shared so the
 * side that issues them (signaling) and the sides that check them (both)
 * cannot drift apart.
 */
export const SIGNALING_CLIENT_URI = 'urn:beacon:signaling';
export const MEDIA_NODE_URI_PREFIX = 'urn:beacon:media-node:';

/** The URI names in a certificate's subjectAltName as Node prints it (`IP Address:…, URI:…`). */
export function certificateUris(subjectAltName: string | undefined): string[] {
  return (subjectAltName ?? '')
    .split(',')
    .map((entry) => entry.trim())
    .filter((entry) => entry.startsWith('URI:'))
    .map((entry) => entry.slice(4));
}

/** The node id a media node's certificate names, or null. */
export function certificateNodeId(subjectAltName: string | undefined): string | null {
  const uri = certificateUris(subjectAltName).find((entry) => entry.startsWith(MEDIA_NODE_URI_PREFIX));
  return uri ? uri.slice(MEDIA_NODE_URI_PREFIX.length) : null;
}

/** Loopback (`127.x.y.z`, `::1`, `localhost`, bracketed or not): the only place the control channel may be plain HTTP. */
export function isLoopbackHost(host: string): boolean {
  const bare = host.replace(/^\[|\]$/g, '').toLowerCase();
  return bare === 'localhost' || bare === '::1' || /^127\.\d+\.\d+\.\d+$/.test(bare);
}
