import { describe, expect, it } from 'vitest';
import { MediaServer } from './MediaServer.ts';
import type { MediaServerOptions } from './MediaServerOptions.ts';
import { PlainTargets, parseAddressOrNetwork } from './plainTargets.ts';
import { FFMPEG_OPUS_RTP_PARAMETERS, loopbackOptions } from './testing.ts';

describe('PlainTargets', () => {
  it('parses addresses and networks, nothing else', () => {
    expect(parseAddressOrNetwork('10.0.0.0/8')).toEqual({ address: '10.0.0.0', prefix: 8, family: 'ipv4' });
    expect(parseAddressOrNetwork('::1')).toEqual({ address: '::1', prefix: 128, family: 'ipv6' });
    for (const bad of ['gateway.local', '10.0.0.0/33', '10.0.0.1/x', '', '1.2.3.4/8/9']) {
      expect(parseAddressOrNetwork(bad)).toBeNull();
    }
  });

  it('allows only addresses inside the list (IPv4-mapped IPv6 as IPv4)', () => {
    const targets = new PlainTargets(['127.0.0.0/8', '10.20.0.5']);
    expect(targets.allows('127.0.0.1')).toBe(true);
    expect(targets.allows('10.20.0.5')).toBe(true);
    expect(targets.allows('::ffff:10.20.0.5')).toBe(true);
    expect(targets.allows('10.20.0.6')).toBe(false);
    expect(targets.allows('::1')).toBe(false);
    expect(targets.allows('not-an-ip')).toBe(false);
    expect(() => targets.assert('192.0.2.1', 5004, {})).toThrow(
      expect.objectContaining({ code: 'target_not_allowed' }),
    );
    // No port range: any port.
    expect(() => targets.assert('127.0.0.1', 5004, {})).not.toThrow();
  });

  it('with a port range, allows only the gateway RTP ports', () => {
    const targets = new PlainTargets(['127.0.0.0/8'], { min: 42_000, max: 42_999 });
    expect(targets.allowsPort(42_000)).toBe(true);
    expect(targets.allowsPort(42_999)).toBe(true);
    expect(targets.allowsPort(41_999)).toBe(false);
    expect(targets.allowsPort(43_000)).toBe(false);
    expect(targets.allowsPort(42_000.5)).toBe(false);
    expect(() => targets.assert('127.0.0.1', 42_010, {})).not.toThrow();
    expect(() => targets.assert('127.0.0.1', 5060, {})).toThrow(
      expect.objectContaining({ code: 'target_not_allowed', message: expect.stringMatching(/port 5060/) }),
    );
  });
});

describe('MediaServer plain RTP targets (real worker)', () => {
  /**
   * On a real worker: a tap to `refusedTap` and a plain producer remote at `refusedRemote` are refused with
   * target_not_allowed and create nothing; a tap to `allowedTap` is made.
   */
  async function expectTargets(
    extra: Partial<MediaServerOptions>,
    refusedTap: { ip: string; port: number },
    refusedRemote: { ip: string; port: number },
    allowedTap: { ip: string; port: number },
  ): Promise<void> {
    const server = await MediaServer.create({ ...(await loopbackOptions()), ...extra });
    try {
      await server.ensureRoom('r');
      const mic = await server.createPlainProducer('r', 'gateway', {
        kind: 'audio',
        rtpParameters: FFMPEG_OPUS_RTP_PARAMETERS,
      });
      const before = server.counts();
      await expect(
        server.createPlainConsumer('r', 'tap', mic.producerId, {
          remoteIp: refusedTap.ip,
          remotePort: refusedTap.port,
        }),
      ).rejects.toMatchObject({ name: 'MediaError', code: 'target_not_allowed' });
      await expect(
        server.createPlainProducer('r', 'phone', {
          kind: 'audio',
          rtpParameters: FFMPEG_OPUS_RTP_PARAMETERS,
          remote: refusedRemote,
        }),
      ).rejects.toMatchObject({ code: 'target_not_allowed' });
      expect(server.counts()).toEqual(before);
      const tap = await server.createPlainConsumer('r', 'tap', mic.producerId, {
        remoteIp: allowedTap.ip,
        remotePort: allowedTap.port,
      });
      expect(tap.consumerId).toBeTruthy();
    } finally {
      await server.close();
    }
  }

  it('refuses a tap or a plain producer remote outside plainTargets, and creates nothing', async () => {
    // Loopback (the default: the gateway on this machine) still works.
    await expectTargets(
      {},
      { ip: '192.0.2.10', port: 5004 },
      { ip: '198.51.100.7', port: 4000 },
      { ip: '127.0.0.1', port: 5004 },
    );
  });

  it('with plainTargetPorts, refuses a tap or a remote on a port outside the gateway range', async () => {
    await expectTargets(
      { plainTargetPorts: { min: 42_000, max: 42_099 } },
      { ip: '127.0.0.1', port: 5060 },
      { ip: '127.0.0.1', port: 42_100 },
      { ip: '127.0.0.1', port: 42_098 },
    );
  });
});
