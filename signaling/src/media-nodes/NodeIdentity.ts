/**
 * Who a media node is, as far as signaling can prove it: over mutual TLS,
 * the node id its certificate names (after the usual chain and host checks),
 * and, for a node found in Redis, the id its signed entry gave. A node's
 * heartbeats must carry that id: a node that says it is another one would
 * otherwise take over that node's place in the registry (and its rooms).
 */
import { checkServerIdentity, type PeerCertificate } from 'node:tls';
import { certificateNodeId } from '@beacon/common';
import { MediaError } from '@beacon/media-server';
import type { ControlTls } from '../tls/mediaNodeCertificates.ts';
import { certificateIps } from './nodeAddresses.ts';

export class NodeIdentity {
  #tls: ControlTls | null;
  readonly #expectedNodeId: string | undefined;
  /** The node id in the certificate of the last TLS handshake. */
  #certNodeId: string | null = null;
  /** The IP addresses that certificate names (Beacon's CA vouches for them: cascade pipes may go there). */
  #certAddresses: string[] = [];

  /** `tls`: signaling's client certificate and Beacon's CA, required for an https:// URL. */
  constructor(url: string, tls: ControlTls | null, expectedNodeId?: string) {
    const secure = url.startsWith('https:');
    if (secure && !tls) throw new MediaError('invalid_state', `media node ${url}: https needs a client certificate`);
    this.#tls = secure ? tls : null;
    this.#expectedNodeId = expectedNodeId;
  }

  /** The socket.io client's TLS options: mutual TLS checked by this identity; none for loopback http. */
  socketOptions(): Record<string, unknown> {
    if (!this.#tls) return {};
    return {
      ...this.#tls,
      rejectUnauthorized: true,
      checkServerIdentity: (host: string, cert: PeerCertificate) => this.checkCertificate(host, cert),
    };
  }

  /** A renewed client certificate (ControlTlsRenewal), for the handshakes from now on; none for loopback http. */
  updateTls(tls: ControlTls): void {
    if (this.#tls) this.#tls = tls;
  }

  /** The TLS handshake's identity check: the default host check, then a media node id in the certificate. */
  checkCertificate(host: string, cert: PeerCertificate): Error | undefined {
    const hostError = checkServerIdentity(host, cert);
    if (hostError) return hostError;
    const nodeId = certificateNodeId(cert.subjectaltname);
    if (!nodeId) return new Error(`the certificate of ${host} names no media node`);
    if (this.#expectedNodeId !== undefined && nodeId !== this.#expectedNodeId) {
      return new Error(`the certificate of ${host} is media node ${nodeId}'s, not ${this.#expectedNodeId}'s`);
    }
    this.#certNodeId = nodeId;
    this.#certAddresses = certificateIps(cert.subjectaltname);
    return undefined;
  }

  /** The IP addresses in the node's certificate (last handshake); none for loopback http. */
  get certificateAddresses(): readonly string[] {
    return this.#certAddresses;
  }

  /** Why a heartbeat's node id is not the one the node proved or was registered as; null when it is. */
  refusal(nodeId: string): string | null {
    if (this.#tls && nodeId !== this.#certNodeId) {
      return `its heartbeat says ${nodeId}, its certificate ${this.#certNodeId ?? 'nothing'}`;
    }
    if (this.#expectedNodeId !== undefined && nodeId !== this.#expectedNodeId) {
      return `its heartbeat says ${nodeId}, its registration ${this.#expectedNodeId}`;
    }
    return null;
  }
}
