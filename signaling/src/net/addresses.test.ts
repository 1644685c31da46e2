import { describe, expect, it } from 'vitest';
import { AddressError, type InterfaceAddress, resolveAddresses } from './addresses.ts';

const LOOPBACK: InterfaceAddress[] = [
  { address: '127.0.0.1', family: 'IPv4', internal: true },
  { address: '::1', family: 'IPv6', internal: true },
];
const LAN: InterfaceAddress[] = [
  ...LOOPBACK,
  { address: '10.53.2.10', family: 'IPv4', internal: false },
  { address: '192.168.7.4', family: 'IPv4', internal: false },
];
const config = (host: string, listenIp: string, announcedAddress?: string, extraNames: string[] = []) => ({
  host,
  media: {
    numWorkers: 1,
    listenIp,
    rtcPortBase: 40_000,
    workerLogLevel: 'warn' as const,
    ...(announcedAddress ? { announcedAddress } : {}),
  },
  tls: { mode: 'auto' as const, certFile: null, keyFile: null, extraNames, caPermitted: [] },
});

describe('resolveAddresses', () => {
  it('announces the first LAN IPv4 when media listens on a wildcard, and says which others exist', () => {
    const resolved = resolveAddresses(config('0.0.0.0', '0.0.0.0'), LAN, 'beacon-city');
    expect(resolved.mediaAnnounced).toBe('10.53.2.10');
    expect(resolved.mediaAnnouncedSource).toBe('detected');
    expect(resolved.warnings.join()).toContain('192.168.7.4');
    expect(resolved.consoleAddresses).toEqual(['127.0.0.1', '10.53.2.10', '192.168.7.4']);
    expect(resolved.certificateNames).toEqual(
      expect.arrayContaining(['localhost', 'beacon-city', '127.0.0.1', '10.53.2.10', '192.168.7.4']),
    );
  });

  it('warns when only loopback exists, and announces loopback', () => {
    const resolved = resolveAddresses(config('0.0.0.0', '0.0.0.0'), LOOPBACK, 'h');
    expect(resolved.mediaAnnounced).toBe('127.0.0.1');
    expect(resolved.mediaAnnouncedSource).toBe('loopback only');
    expect(resolved.warnings.join()).toMatch(/only loopback/);
  });

  it('uses configured and specific addresses as given, plus extra certificate names', () => {
    const configured = resolveAddresses(
      config('10.53.2.10', '10.53.2.10', 'media.cx.gov.cn', ['beacon.cx.gov.cn']),
      LAN,
      'h',
    );
    expect(configured).toMatchObject({
      mediaAnnounced: 'media.cx.gov.cn',
      mediaAnnouncedSource: 'configured',
      warnings: [],
    });
    expect(configured.consoleAddresses).toEqual(['10.53.2.10']);
    expect(configured.certificateNames).toEqual(
      expect.arrayContaining(['media.cx.gov.cn', 'beacon.cx.gov.cn', '10.53.2.10']),
    );
    expect(resolveAddresses(config('0.0.0.0', '192.168.7.4'), LAN, 'h').mediaAnnounced).toBe('192.168.7.4');
  });

  it('refuses listen addresses this machine does not have', () => {
    expect(() => resolveAddresses(config('10.9.9.9', '0.0.0.0'), LAN, 'h')).toThrow(AddressError);
    expect(() => resolveAddresses(config('0.0.0.0', '10.9.9.9'), LAN, 'h')).toThrow(
      /MEDIA_LISTEN_IP=10.9.9.9 is not an address of this machine/,
    );
  });
});
