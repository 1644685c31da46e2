/**
 * coturn's configuration, rendered from Beacon's on every start (turnserver.conf
 * in a work directory Beacon owns; the Debian /etc/turnserver.conf is not used).
 *
 * Relaying is confined to the media server: every peer address is denied
 * except the media addresses, so a TURN credential cannot be used to reach
 * other hosts of a government LAN through this machine.
 */
import { isIP } from 'node:net';
import path from 'node:path';
import { interfaceAddresses, isWildcard } from '../net/addresses.ts';
import { TurnError } from './TurnError.ts';

export interface CoturnConfigOptions {
  /** Directory for the rendered config, pid file and coturn's (unused) user database. */
  workDir: string;
  /** Listen address (MEDIA_LISTEN_IP); a wildcard listens on every interface. */
  listenIp: string;
  /** TURN port, UDP and TCP. */
  port: number;
  /** The IP address clients reach (MEDIA_ANNOUNCED_ADDRESS, a DNS name already resolved). */
  announcedIp: string;
  /** Relay (allocation) port range. */
  relayPorts: { min: number; max: number };
  /** Shared secret of the TURN REST API (see TurnCredentials). */
  secret: string;
  /** Addresses coturn may relay to: the media server's. */
  allowedPeers: string[];
  /** Default 'beacon'. */
  realm?: string;
  /** TURN over TLS (turns:) on this TCP port with these PEM files; absent: plain UDP/TCP only. */
  tls?: CoturnTls;
}

export interface CoturnTls {
  port: number;
  certFile: string;
  keyFile: string;
}

export interface ResolvedCoturnConfig {
  listenIp: string | null;
  port: number;
  relayIp: string;
  /** `public/private` mapping when clients reach the relay under another address (NAT). */
  externalIp: string | null;
  relayPorts: { min: number; max: number };
  realm: string;
  secret: string;
  allowedPeers: string[];
  allowLoopbackPeers: boolean;
  tls: CoturnTls | null;
  configPath: string;
  pidFile: string;
  userDb: string;
}

export function isLoopback(ip: string): boolean {
  return ip.startsWith('127.') || ip === '::1';
}

/** Checks the options and picks the one relay address (coturn's own default would relay per client interface). */
export function resolveCoturnConfig(opts: CoturnConfigOptions): ResolvedCoturnConfig {
  for (const [name, ip] of [
    ['listenIp', opts.listenIp],
    ['announcedIp', opts.announcedIp],
    ...opts.allowedPeers.map((p) => ['allowedPeers', p]),
  ] as const) {
    if (isIP(ip) === 0) throw new TurnError('bad_config', `${name}: not an IP address: ${JSON.stringify(ip)}`);
  }
  if (opts.allowedPeers.length === 0) throw new TurnError('bad_config', 'allowedPeers: at least one media address');
  // coturn reads `key=value` lines; whitespace or '#' would cut the secret short.
  if (!/^[\x21-\x7e]{32,}$/.test(opts.secret) || opts.secret.includes('#')) {
    throw new TurnError('bad_config', 'TURN secret: at least 32 printable characters without spaces or "#"');
  }
  if (opts.relayPorts.min > opts.relayPorts.max) throw new TurnError('bad_config', 'relay port range is empty');
  if (opts.tls && opts.tls.port === opts.port)
    throw new TurnError('bad_config', 'TLS port must differ from the TURN port');

  const listenIp = isWildcard(opts.listenIp) ? null : opts.listenIp;
  // Listening everywhere: relay from the announced address when it is ours, else (behind NAT) from our first LAN address.
  const local = interfaceAddresses();
  const relayIp =
    listenIp ??
    (local.some((a) => a.address === opts.announcedIp)
      ? opts.announcedIp
      : (local.find((a) => a.family === 'IPv4' && !a.internal)?.address ?? '127.0.0.1'));
  const allowedPeers = [...new Set(opts.allowedPeers)];
  return {
    listenIp,
    port: opts.port,
    relayIp,
    externalIp: opts.announcedIp === relayIp ? null : `${opts.announcedIp}/${relayIp}`,
    relayPorts: opts.relayPorts,
    realm: opts.realm ?? 'beacon',
    secret: opts.secret,
    allowedPeers,
    // Only for media on loopback (tests, a single-machine demo): coturn refuses 127/8 and ::1 otherwise.
    allowLoopbackPeers: allowedPeers.some(isLoopback),
    tls: opts.tls ?? null,
    configPath: path.join(opts.workDir, 'turnserver.conf'),
    pidFile: path.join(opts.workDir, 'turnserver.pid'),
    userDb: path.join(opts.workDir, 'turndb'),
  };
}

export function renderCoturnConfig(c: ResolvedCoturnConfig): string {
  const lines = [
    '# Rendered by Beacon (signaling/src/turn/CoturnConfig.ts) on every start: edits here are lost.',
    `listening-port=${c.port}`,
    ...(c.listenIp ? [`listening-ip=${c.listenIp}`] : []),
    `relay-ip=${c.relayIp}`,
    ...(c.externalIp ? [`external-ip=${c.externalIp}`] : []),
    `min-port=${c.relayPorts.min}`,
    `max-port=${c.relayPorts.max}`,
    `realm=${c.realm}`,
    // TURN REST API: credentials minted by signaling with the shared secret, checked here.
    'use-auth-secret',
    `static-auth-secret=${c.secret}`,
    'fingerprint',
    'stale-nonce=600',
    // TURN over TLS for terminals that may only reach TCP/TLS (a strict government firewall), with Beacon's
    // certificate and TLS 1.2+ as on its HTTPS port; no DTLS (browsers do not use it: media is DTLS-SRTP anyway).
    ...(c.tls
      ? [
          `tls-listening-port=${c.tls.port}`,
          `cert=${c.tls.certFile}`,
          `pkey=${c.tls.keyFile}`,
          'no-tlsv1',
          'no-tlsv1_1',
        ]
      : ['no-tls']),
    'no-dtls',
    'no-tcp-relay',
    'no-cli',
    'no-rfc5780',
    'no-software-attribute',
    'no-multicast-peers',
    // Deny every peer, then allow the media server alone (allowed-peer-ip wins over denied-peer-ip).
    'denied-peer-ip=0.0.0.0-255.255.255.255',
    'denied-peer-ip=::-ffff:ffff:ffff:ffff:ffff:ffff:ffff:ffff',
    ...c.allowedPeers.map((ip) => `allowed-peer-ip=${ip}`),
    ...(c.allowLoopbackPeers ? ['allow-loopback-peers'] : []),
    'log-file=stdout',
    'simple-log',
    `pidfile=${c.pidFile}`,
    `userdb=${c.userDb}`,
  ];
  return `${lines.join('\n')}\n`;
}
