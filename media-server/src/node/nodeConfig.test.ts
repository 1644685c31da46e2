import { describe, expect, it } from 'vitest';
import { ZodError } from 'zod';
import { loadMediaNodeConfig } from './nodeConfig.ts';

const KEY = 'k'.repeat(32);

describe('loadMediaNodeConfig', () => {
  it('reads the node identity, control address and media options from the environment', () => {
    const config = loadMediaNodeConfig({
      MEDIA_NODE_ID: 'county-1',
      MEDIA_NODE_REGION: 'county',
      MEDIA_NODE_KEY: KEY,
      MEDIA_NODE_CONTROL_PORT: '0',
      MEDIA_NODE_TLS_CERT: '/etc/beacon/node.crt',
      MEDIA_NODE_TLS_KEY: '/etc/beacon/node.key',
      MEDIA_NODE_TLS_CA: '/etc/beacon/ca.crt',
      MEDIA_NODE_RECORDINGS_DIR: '/var/lib/beacon-media-node/recordings',
      MEDIA_NODE_PLAIN_TARGETS: '10.20.0.5, 10.30.0.0/24',
      MEDIA_NODE_PLAIN_TARGET_PORTS: '30000 - 30999',
      MEDIA_NODE_PIPE_ALLOW: '10.20.0.21, 10.20.1.0/24',
      MEDIA_NODE_LISTEN_IP: '127.0.0.1',
      MEDIA_NODE_ANNOUNCED_ADDRESS: '10.1.2.3',
      MEDIA_NODE_RTC_PORT_BASE: '45000',
      MEDIA_NODE_WORKERS: '2',
    });
    expect(config).toMatchObject({
      nodeId: 'county-1',
      region: 'county',
      controlHost: '0.0.0.0',
      controlPort: 0,
      media: {
        listenIp: '127.0.0.1',
        announcedAddress: '10.1.2.3',
        rtcPortBase: 45_000,
        numWorkers: 2,
        plainPortRange: { min: 41_000, max: 41_999 },
        recordingsDir: '/var/lib/beacon-media-node/recordings',
        plainTargets: ['10.20.0.5', '10.30.0.0/24'],
        plainTargetPorts: { min: 30_000, max: 30_999 },
      },
      pipeAllow: ['10.20.0.21', '10.20.1.0/24'],
      tls: {
        certFile: '/etc/beacon/node.crt',
        keyFile: '/etc/beacon/node.key',
        caFile: '/etc/beacon/ca.crt',
        watchIntervalMs: 30_000,
      },
    });
  });

  it('refuses plain HTTP off loopback, and half a TLS configuration, with coded errors', () => {
    expect(() => loadMediaNodeConfig({ MEDIA_NODE_KEY: KEY })).toThrow(
      expect.objectContaining({ name: 'MediaNodeConfigError', code: 'media_node_tls_required' }),
    );
    expect(() => loadMediaNodeConfig({ MEDIA_NODE_KEY: KEY, MEDIA_NODE_CONTROL_HOST: '10.0.0.2' })).toThrow(
      expect.objectContaining({ code: 'media_node_tls_required' }),
    );
    expect(() =>
      loadMediaNodeConfig({ MEDIA_NODE_KEY: KEY, MEDIA_NODE_CONTROL_HOST: '127.0.0.1', MEDIA_NODE_TLS_CERT: '/x.crt' }),
    ).toThrow(expect.objectContaining({ code: 'media_node_tls_incomplete' }));
    const local = loadMediaNodeConfig({ MEDIA_NODE_KEY: KEY, MEDIA_NODE_CONTROL_HOST: '127.0.0.1' });
    expect(local.tls).toBeNull();
    // Unset: taps only to the SIP gateway's default RTP ports, pipes only to nodes on loopback.
    expect(local.media.plainTargetPorts).toEqual({ min: 42_000, max: 42_999 });
    expect(local.pipeAllow).toBeNull();
    for (const bad of [
      { MEDIA_NODE_PLAIN_TARGET_PORTS: '42000' },
      { MEDIA_NODE_PLAIN_TARGET_PORTS: '43000-42000' },
      { MEDIA_NODE_PIPE_ALLOW: 'media-2.local' },
      { MEDIA_NODE_PIPE_ALLOW: ' , ' },
    ]) {
      expect(() => loadMediaNodeConfig({ MEDIA_NODE_KEY: KEY, MEDIA_NODE_CONTROL_HOST: '127.0.0.1', ...bad })).toThrow(
        ZodError,
      );
    }
    expect(() =>
      loadMediaNodeConfig({
        MEDIA_NODE_KEY: KEY,
        MEDIA_NODE_CONTROL_HOST: '127.0.0.1',
        MEDIA_NODE_PLAIN_TARGETS: 'gw',
      }),
    ).toThrow(ZodError);
  });

  it('refuses a missing or short key, a bad node id and overlapping ports', () => {
    expect(() => loadMediaNodeConfig({})).toThrow(ZodError);
    expect(() => loadMediaNodeConfig({ MEDIA_NODE_KEY: 'short' })).toThrow(/at least 32/);
    const local = { MEDIA_NODE_KEY: KEY, MEDIA_NODE_CONTROL_HOST: '127.0.0.1' };
    expect(() => loadMediaNodeConfig({ ...local, MEDIA_NODE_ID: 'a b' })).toThrow(ZodError);
    expect(() => loadMediaNodeConfig({ ...local, MEDIA_NODE_RTC_PORT_BASE: '41500' })).toThrow(/overlap/);
  });
});
