/**
 * Discovering media nodes through a real Redis that requires its own ACL
 * user: signaling connects only to entries signed with the media nodes' key
 * and pointing inside MEDIA_NODE_ALLOW; another writer to Redis cannot make
 * signaling present the media-node key to an address of its choosing.
 */
import { signMediaNodeEntry } from '@beacon/common';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ClusterNode } from '../../signaling/src/cluster/ClusterNode.ts';
import { RedisNodeDirectory } from '../../signaling/src/media-nodes/RedisNodeDirectory.ts';
import { parseSubtree, type Subtree } from '../../signaling/src/net/nameSubtrees.ts';
import { type RedisServer, redisUnavailableReason, startRedis } from '../src/redisServer.ts';

const KEY = 'media-node-key-for-the-directory-test-0123456789';
const PASSWORD = 'Redis-ACL-pw-for-beacon-7f3a';
const allow = ['127.0.0.0/8', 'media.cx.gov'].map((entry) => parseSubtree(entry) as Subtree);

describe.skipIf(redisUnavailableReason !== null)('the media node directory in Redis', () => {
  let redis: RedisServer;
  let cluster: ClusterNode;

  beforeAll(async () => {
    // No anonymous access: Beacon signs in as its own ACL user, as a shared Redis would require.
    redis = await startRedis([
      '--user',
      'default',
      'off',
      '--user',
      'beacon',
      'on',
      `>${PASSWORD}`,
      '~*',
      '&*',
      '+@all',
    ]);
    const withUser = redis.url.replace('redis://', `redis://beacon:${PASSWORD}@`);
    cluster = await ClusterNode.connect({ redisUrl: withUser, key: new Uint8Array(32).fill(7) });
  });
  afterAll(async () => {
    await cluster?.close();
    await redis?.stop();
  });

  it('refuses a client without the ACL user’s password', async () => {
    await expect(ClusterNode.connect({ redisUrl: redis.url, key: new Uint8Array(32) })).rejects.toThrow(
      /cannot reach Redis/,
    );
    await expect(
      ClusterNode.connect({
        redisUrl: redis.url.replace('redis://', 'redis://beacon:wrong@'),
        key: new Uint8Array(32),
      }),
    ).rejects.toThrow(/cannot reach Redis/);
  });

  it('adds signed entries inside the allow-list only', async () => {
    const put = (id: string, value: unknown) =>
      cluster.redis.set(`beacon:media-node:${id}`, JSON.stringify(value), { PX: 60_000 });
    const good = { nodeId: 'county', url: 'http://127.0.0.1:4500', region: 'county' };
    await put('county', signMediaNodeEntry(good, KEY));
    // Written by someone without the key: unsigned, or signed with another key.
    await put('rogue-unsigned', { nodeId: 'rogue-unsigned', url: 'http://127.0.0.2:4500', region: 'x' });
    await put(
      'rogue-key',
      signMediaNodeEntry({ nodeId: 'rogue-key', url: 'http://127.0.0.3:4500', region: 'x' }, 'x'.repeat(40)),
    );
    // A signed entry whose URL was swapped afterwards.
    await put('swapped', { ...signMediaNodeEntry({ ...good, nodeId: 'swapped' }, KEY), url: 'http://127.0.0.4:4500' });
    // Signed, but outside the allowed networks.
    await put(
      'elsewhere',
      signMediaNodeEntry({ nodeId: 'elsewhere', url: 'http://203.0.113.9:4500', region: 'x' }, KEY),
    );

    // Signed and allowed, but plain HTTP off this machine (the key and every call in clear); its https twin is used.
    await put('clear', signMediaNodeEntry({ nodeId: 'clear', url: 'http://media.cx.gov:4480', region: 'x' }, KEY));
    const secure = { nodeId: 'secure', url: 'https://media.cx.gov:4481', region: 'x' };
    await put('secure', signMediaNodeEntry(secure, KEY));

    const added: string[] = [];
    const ids: (string | undefined)[] = [];
    const directory = await RedisNodeDirectory.start({
      redis: cluster.redis,
      cascade: {
        addNode: (url: string, nodeId?: string) => {
          if (added.includes(url)) return false;
          ids.push(nodeId);
          return added.push(url) > 0;
        },
      },
      key: KEY,
      allow,
    });
    directory.stop();
    expect(added.sort()).toEqual(['http://127.0.0.1:4500', 'https://media.cx.gov:4481']);
    // The id each was registered with goes along: the node must prove it (its certificate, its heartbeats).
    expect(ids.sort()).toEqual(['county', 'secure']);
  });
});
