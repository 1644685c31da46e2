/**
 * How signaling reaches media nodes' control ports: HTTPS with mutual TLS
 * under Beacon's CA (tls/mediaNodeCertificates.ts), or plain HTTP to a node
 * on this machine's loopback only. Plain HTTP to any other address would put
 * the node key and every control call (who joins which room, where media
 * goes) on the network in clear, so such a URL is refused — at start for
 * MEDIA_NODES, entry by entry for nodes discovered in Redis.
 */
import path from 'node:path';
import { CodedError, isLoopbackHost } from '@beacon/common';
import type { Config } from '../config.ts';
import { ensureCertificates } from '../tls/CertificateAuthority.ts';
import { type ControlTls, signalingClientTls } from '../tls/mediaNodeCertificates.ts';

export type MediaNodeTlsErrorCode = 'media_node_tls_required';

export class MediaNodeTlsError extends CodedError<MediaNodeTlsErrorCode> {
  override readonly name = 'MediaNodeTlsError';
}

/** Why signaling will not use this control URL, or null when it may. */
export function controlUrlRefusal(url: string): string | null {
  const parsed = new URL(url);
  if (parsed.protocol === 'https:') return null;
  if (isLoopbackHost(parsed.hostname)) return null;
  return `plain HTTP to ${parsed.hostname} is refused: a media node off this machine is reached over mutual TLS (https://, a certificate from \`npm run media-node-cert\`)`;
}

export function assertControlUrl(url: string): void {
  const refusal = controlUrlRefusal(url);
  if (refusal) throw new MediaNodeTlsError('media_node_tls_required', `MEDIA_NODES ${url}: ${refusal}`);
}

/**
 * Signaling's side of the mutual TLS, when any node may need it (an https:// URL, or discovery): the CA
 * (created like the HTTPS server's when this node serves plain HTTP) and a client certificate. Null when
 * every configured node is on loopback HTTP.
 */
export async function prepareControlTls(
  config: Pick<Config, 'dataDir' | 'tls' | 'mediaNodes'>,
  certificateNames: readonly string[],
): Promise<ControlTls | null> {
  const { mediaNodes } = config;
  if (!mediaNodes) return null;
  if (!mediaNodes.discover && !mediaNodes.urls.some((url) => url.startsWith('https:'))) return null;
  const dir = path.join(config.dataDir, 'tls');
  // The same CA and names as BEACON_TLS=auto: with auto it is already there and only read.
  await ensureCertificates({ dir, names: certificateNames, permitted: config.tls.caPermitted });
  return signalingClientTls({ dir });
}
