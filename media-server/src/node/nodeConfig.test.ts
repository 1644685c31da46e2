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
      },
    });
  });

  it('refuses a missing or short key, a bad node id and overlapping ports', () => {
    expect(() => loadMediaNodeConfig({})).toThrow(ZodError);
    expect(() => loadMediaNodeConfig({ MEDIA_NODE_KEY: 'short' })).toThrow(/at least 32/);
    expect(() => loadMediaNodeConfig({ MEDIA_NODE_KEY: KEY, MEDIA_NODE_ID: 'a b' })).toThrow(ZodError);
    expect(() => loadMediaNodeConfig({ MEDIA_NODE_KEY: KEY, MEDIA_NODE_RTC_PORT_BASE: '41500' })).toThrow(/overlap/);
  });
});
