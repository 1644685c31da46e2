/**
 * Redis over TLS with a private CA (REDIS_URL=rediss://…, BEACON_REDIS_CA):
 * a real redis-server listening with TLS only, its certificate issued by a
 * CA of its own. Signaling's cluster clients and a media node's registration
 * connect through it with the CA, and refuse it without.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { RedisRegistration } from '../../media-server/src/node/RedisRegistration.ts';
import { ClusterNode } from '../../signaling/src/cluster/ClusterNode.ts';
import { ensureCertificates } from '../../signaling/src/tls/CertificateAuthority.ts';
import { type RedisServer, redisTlsUnavailableReason, startRedis } from '../src/redisServer.ts';
import { startTestNode } from './helpers.ts';

const KEY = new Uint8Array(32).fill(7);

describe.skipIf(redisTlsUnavailableReason !== null)(
  `Redis over TLS with a private CA${redisTlsUnavailableReason ? ` (skipped: ${redisTlsUnavailableReason})` : ''}`,
  () => {
    let dir: string;
    let caFile: string;
    let ca: string;
    let redis: RedisServer;

    beforeAll(async () => {
      dir = await mkdtemp(path.join(tmpdir(), 'beacon-redis-tls-'));
      // A private CA and a server certificate for 127.0.0.1, as a city's own CA would issue Redis one.
      const made = await ensureCertificates({ dir: path.join(dir, 'ca'), names: ['127.0.0.1'] });
      caFile = made.caCertPath;
      ca = made.caCert;
      redis = await startRedis([], { certFile: made.certPath, keyFile: made.keyPath, caFile });
      expect(redis.url).toMatch(/^rediss:/);
    });

    afterAll(async () => {
      await redis?.stop();
      await rm(dir, { recursive: true, force: true });
    });

    it('connects the cluster clients with the CA, and refuses a Redis it cannot verify', async () => {
      const node = await ClusterNode.connect({ redisUrl: redis.url, key: KEY, redisCa: ca, nodeId: 'tls-a' });
      try {
        expect(await node.isAlive('tls-a')).toBe(true);
        expect(await node.redis.exists('beacon:node:tls-a')).toBe(1);
        const subscriber = await node.subscriber();
        const heard = new Promise<string>((resolve) => void subscriber.subscribe('tls-check', resolve));
        await node.redis.publish('tls-check', 'over tls');
        expect(await heard).toBe('over tls');
        await subscriber.quit();
      } finally {
        await node.close();
      }
      // Without the private CA the certificate does not verify: a start error, not a silent retry loop.
      await expect(ClusterNode.connect({ redisUrl: redis.url, key: KEY, nodeId: 'tls-b' })).rejects.toThrow(
        /cannot reach Redis.*certificate/,
      );
    });

    it('registers a media node through it, and starts a signaling node from REDIS_URL and BEACON_REDIS_CA', async () => {
      const registration = await RedisRegistration.start(
        redis.url,
        { nodeId: 'tls-media', url: 'https://127.0.0.1:4480', region: 'city' },
        'k'.repeat(32),
        { ca },
      );
      const beacon = await startTestNode({
        env: { REDIS_URL: redis.url, BEACON_REDIS_CA: caFile, BEACON_JWT_SECRET: 's'.repeat(40), BEACON_SIP: 'off' },
      });
      try {
        const cluster = beacon.node.cluster;
        expect(cluster).toBeTruthy();
        expect(JSON.parse((await cluster?.redis.get('beacon:media-node:tls-media')) ?? '{}')).toMatchObject({
          nodeId: 'tls-media',
        });
      } finally {
        await beacon.stop();
        await registration.stop();
      }
    });
  },
);
