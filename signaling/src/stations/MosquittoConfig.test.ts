import { describe, expect, it } from 'vitest';
import { renderMosquittoConfig, resolveMosquittoConfig } from './MosquittoConfig.ts';

const tls = {
  port: 8883,
  host: null,
  caPath: '/data/tls/ca.crt',
  certPath: '/data/tls/mqtt.crt',
  keyPath: '/data/tls/mqtt.key',
  requireClientCert: false,
};

/** The lines from `listener <port>` up to the next listener. */
const listenerBlock = (conf: string, port: number): string[] => {
  const lines = conf.split('\n');
  const start = lines.findIndex((l) => l.startsWith(`listener ${port}`));
  const end = lines.findIndex((l, i) => i > start && l.startsWith('listener '));
  return lines.slice(start, end === -1 ? undefined : end).filter(Boolean);
};

describe('mosquitto.conf', () => {
  it('puts plain MQTT on loopback and TLS with Beacon’s certificate on every interface', () => {
    const conf = renderMosquittoConfig(resolveMosquittoConfig({ dataDir: '/data', port: 1883, tls }));
    expect(listenerBlock(conf, 1883)).toEqual(['listener 1883 127.0.0.1']);
    expect(listenerBlock(conf, 8883)).toEqual([
      'listener 8883',
      'cafile /data/tls/ca.crt',
      'certfile /data/tls/mqtt.crt',
      'keyfile /data/tls/mqtt.key',
      'tls_version tlsv1.2',
      'require_certificate false',
    ]);
    // One password file and ACL for both listeners, read before them.
    expect(conf.indexOf('per_listener_settings false')).toBeLessThan(conf.indexOf('listener 1883'));
    expect(conf).toContain('allow_anonymous false');
  });

  it('offers plain MQTT beyond loopback only when told, asks for client certificates when told, TLS can be off', () => {
    const conf = renderMosquittoConfig(
      resolveMosquittoConfig({
        dataDir: '/data',
        port: 1883,
        host: '0.0.0.0',
        tls: { ...tls, host: '10.0.0.5', requireClientCert: true },
      }),
    );
    expect(listenerBlock(conf, 1883)).toEqual(['listener 1883 0.0.0.0']);
    expect(listenerBlock(conf, 8883)).toContain('listener 8883 10.0.0.5');
    expect(listenerBlock(conf, 8883)).toContain('require_certificate true');
    const plainOnly = renderMosquittoConfig(resolveMosquittoConfig({ dataDir: '/data', port: 1883, tls: null }));
    expect(plainOnly).not.toContain('certfile');
    expect(plainOnly.match(/^listener /gm)).toHaveLength(1);
  });
});
