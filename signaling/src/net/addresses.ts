/**
 * Listen and announced addresses, checked at start (a wrong one would
 * otherwise show only as terminals whose media never connects). Township
 * terminals reach the city over the government WAN, so the address ICE
 * candidates announce must be one they can route to: when none is configured
 * and media listens on a wildcard, the first non-loopback IPv4 is announced,
 * and a warning says so when the machine has nothing but loopback (then only
 * browsers on this machine can connect).
 */
import os from 'node:os';
import type { Config } from '../config.ts';

export class AddressError extends Error {
  override readonly name = 'AddressError';
  readonly code = 'address_not_local';
}

export interface InterfaceAddress {
  address: string;
  family: 'IPv4' | 'IPv6';
  internal: boolean;
}

export interface ResolvedAddresses {
  /** The address media announces in ICE candidates (and TURN relays to). */
  mediaAnnounced: string;
  /** How it was chosen, for the start-up banner. */
  mediaAnnouncedSource: 'configured' | 'listen address' | 'detected' | 'loopback only';
  /** Addresses browsers can use to reach the console (for the banner and the auto certificate). */
  consoleAddresses: string[];
  /** DNS names and IPs the auto certificate covers. */
  certificateNames: string[];
  warnings: string[];
}

export function isWildcard(address: string): boolean {
  return address === '0.0.0.0' || address === '::';
}

export function interfaceAddresses(): InterfaceAddress[] {
  const found: InterfaceAddress[] = [];
  for (const list of Object.values(os.networkInterfaces())) {
    for (const entry of list ?? []) {
      // Link-local IPv6 needs a zone id no browser URL or certificate can carry.
      if (entry.family === 'IPv6' && entry.address.toLowerCase().startsWith('fe80:')) continue;
      found.push({ address: entry.address, family: entry.family, internal: entry.internal });
    }
  }
  return found;
}

/**
 * Checks that configured listen addresses exist on this machine (a typo would
 * otherwise fail deep inside mediasoup or listen()) and works out the rest.
 */
export function resolveAddresses(
  config: Pick<Config, 'host' | 'media' | 'tls'>,
  available: InterfaceAddress[] = interfaceAddresses(),
  hostname: string = os.hostname(),
): ResolvedAddresses {
  const local = new Set(available.map((entry) => entry.address));
  for (const [variable, address] of [
    ['BEACON_HOST', config.host],
    ['MEDIA_LISTEN_IP', config.media.listenIp],
  ] as const) {
    if (!isWildcard(address) && !local.has(address)) {
      throw new AddressError(
        `${variable}=${address} is not an address of this machine (it has: ${[...local].join(', ') || 'none'})`,
      );
    }
  }

  const warnings: string[] = [];
  const external = available.filter((entry) => !entry.internal);
  const externalV4 = external.filter((entry) => entry.family === 'IPv4');
  let mediaAnnounced: string;
  let mediaAnnouncedSource: ResolvedAddresses['mediaAnnouncedSource'];
  if (config.media.announcedAddress !== undefined) {
    mediaAnnounced = config.media.announcedAddress;
    mediaAnnouncedSource = 'configured';
  } else if (!isWildcard(config.media.listenIp)) {
    mediaAnnounced = config.media.listenIp;
    mediaAnnouncedSource = 'listen address';
  } else if (externalV4[0] ?? external[0]) {
    mediaAnnounced = (externalV4[0] ?? (external[0] as InterfaceAddress)).address;
    mediaAnnouncedSource = 'detected';
    if (external.length > 1) {
      warnings.push(
        `MEDIA_ANNOUNCED_ADDRESS is unset: announcing ${mediaAnnounced} (other addresses: ${external
          .slice(1)
          .map((entry) => entry.address)
          .join(', ')}); set it if terminals reach this server by another address`,
      );
    }
  } else {
    mediaAnnounced = '127.0.0.1';
    mediaAnnouncedSource = 'loopback only';
    warnings.push(
      'only loopback addresses found: media is announced on 127.0.0.1, so only browsers on this machine can join; set MEDIA_ANNOUNCED_ADDRESS',
    );
  }
  if (isWildcard(mediaAnnounced)) {
    throw new AddressError('MEDIA_ANNOUNCED_ADDRESS cannot be a wildcard address');
  }

  const consoleAddresses = isWildcard(config.host)
    ? available.filter((entry) => config.host === '::' || entry.family === 'IPv4').map((entry) => entry.address)
    : [config.host];
  const certificateNames = [
    ...new Set([
      'localhost',
      ...(hostname && /^[A-Za-z0-9.-]+$/.test(hostname) ? [hostname] : []),
      ...consoleAddresses,
      ...(isWildcard(config.host) ? ['127.0.0.1', '::1'] : []),
      mediaAnnounced,
      ...config.tls.extraNames,
    ]),
  ];
  return { mediaAnnounced, mediaAnnouncedSource, consoleAddresses, certificateNames, warnings };
}
