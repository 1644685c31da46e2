import { beforeEach, expect, it } from 'vitest';
import type { Store } from './index.ts';
import { describeStoreBackends } from './testing/storeBackends.ts';

describeStoreBackends((env) => {
  let store: Store;
  beforeEach(async () => {
    store = await env.open({ seed: { demoPassword: 'pw' } });
  });

  it('keeps the links up the chairs want, with our side’s mute, until dropped', async () => {
    expect(await store.upstreamLinks.wanted()).toEqual([]);
    await store.upstreamLinks.want({ roomId: 'city-weekly', sendMuted: false });
    await store.upstreamLinks.want({ roomId: 'emergency-drill', sendMuted: true });
    // Wanted again with the mute changed: the same row, updated.
    await store.upstreamLinks.want({ roomId: 'city-weekly', sendMuted: true });
    expect(await store.upstreamLinks.wanted()).toEqual([
      { roomId: 'city-weekly', sendMuted: true },
      { roomId: 'emergency-drill', sendMuted: true },
    ]);
    await store.upstreamLinks.drop('emergency-drill');
    await store.upstreamLinks.drop('not-linked');
    expect(await store.upstreamLinks.wanted()).toEqual([{ roomId: 'city-weekly', sendMuted: true }]);
  });

  it('refuses a link for a room that does not exist', async () => {
    await expect(store.upstreamLinks.want({ roomId: 'no-such-room', sendMuted: false })).rejects.toThrow();
    expect(await store.upstreamLinks.wanted()).toEqual([]);
  });
});
