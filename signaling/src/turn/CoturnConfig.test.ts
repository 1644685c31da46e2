import { describe, expect, it } from 'vitest';
import { renderCoturnConfig, resolveCoturnConfig } from './CoturnConfig.ts';
import { TurnError } from './TurnError.ts';

const base = {
  workDir: '/var/lib/beacon/turn',
  listenIp: '10.1.2.3',
  port: 3478,
  announcedIp: '10.1.2.3',
  relayPorts: { min: 49160, max: 49999 },
  secret: 'x'.repeat(40),
  allowedPeers: ['10.1.2.3'],
};

function lines(text: string): string[] {
  return text.split('\n').filter((line) => line !== '' && !line.startsWith('#'));
}

describe('coturn config', () => {
  it('denies every peer but the media server, with REST API auth and no TLS/CLI', () => {
    const conf = lines(renderCoturnConfig(resolveCoturnConfig(base)));
    expect(conf).toEqual(
      expect.arrayContaining([
        'listening-port=3478',
        'listening-ip=10.1.2.3',
        'relay-ip=10.1.2.3',
        'min-port=49160',
        'max-port=49999',
        'use-auth-secret',
        `static-auth-secret=${'x'.repeat(40)}`,
        'fingerprint',
        'no-cli',
        'no-tls',
        'no-dtls',
        'no-multicast-peers',
        'denied-peer-ip=0.0.0.0-255.255.255.255',
        'denied-peer-ip=::-ffff:ffff:ffff:ffff:ffff:ffff:ffff:ffff',
        'allowed-peer-ip=10.1.2.3',
        'pidfile=/var/lib/beacon/turn/turnserver.pid',
      ]),
    );
    expect(conf).not.toContain('allow-loopback-peers');
    expect(conf.some((line) => line.startsWith('external-ip'))).toBe(false);
  });

  it('maps the announced address as external-ip when it differs (NAT), and allows loopback media only when asked', () => {
    const natted = lines(renderCoturnConfig(resolveCoturnConfig({ ...base, announcedIp: '203.0.113.7' })));
    expect(natted).toContain('external-ip=203.0.113.7/10.1.2.3');
    const loopback = resolveCoturnConfig({
      ...base,
      listenIp: '127.0.0.1',
      announcedIp: '127.0.0.1',
      allowedPeers: ['127.0.0.1'],
    });
    expect(lines(renderCoturnConfig(loopback))).toContain('allow-loopback-peers');
  });

  it('listening on a wildcard omits listening-ip and relays from the announced address when it is local', () => {
    const c = resolveCoturnConfig({
      ...base,
      listenIp: '0.0.0.0',
      announcedIp: '127.0.0.1',
      allowedPeers: ['127.0.0.1'],
    });
    expect(c.listenIp).toBeNull();
    expect(c.relayIp).toBe('127.0.0.1');
    expect(c.externalIp).toBeNull();
  });

  it('serves TURN over TLS (turns:) with the given certificate, TLS 1.2+ only, when asked', () => {
    const tls = {
      port: 5349,
      certFile: '/var/lib/beacon/turn/tls/server.crt',
      keyFile: '/var/lib/beacon/turn/tls/server.key',
    };
    const conf = lines(renderCoturnConfig(resolveCoturnConfig({ ...base, tls })));
    expect(conf).toEqual(
      expect.arrayContaining([
        'tls-listening-port=5349',
        `cert=${tls.certFile}`,
        `pkey=${tls.keyFile}`,
        'no-tlsv1',
        'no-tlsv1_1',
        'no-dtls',
      ]),
    );
    expect(conf).not.toContain('no-tls');
    expect(() => resolveCoturnConfig({ ...base, tls: { ...tls, port: 3478 } })).toThrow(TurnError);
  });

  it('refuses what would break coturn’s config file', () => {
    const bad = (patch: Partial<typeof base>) => () => resolveCoturnConfig({ ...base, ...patch });
    expect(bad({ secret: `${'x'.repeat(40)} #` })).toThrow(TurnError);
    expect(bad({ announcedIp: 'beacon.example' })).toThrow(TurnError);
    expect(bad({ allowedPeers: [] })).toThrow(TurnError);
  });
});
