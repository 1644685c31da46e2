/**
 * A mediasoup worker dies under a live room: the media server re-creates the
 * room on a respawned worker, signaling drops the stale peers and tells their
 * clients to re-join, and the room works again.
 */
import { MediaServer } from '@beacon/media-server';
import { describe, expect, it } from 'vitest';
import { micProducer, nextEvent, ok, request, useTestNode } from './helpers.ts';

const t = useTestNode();

describe('media worker death', () => {
  it('tells the room to re-join, drops its peers, and lets them join again', async () => {
    const media = t.beacon.node.media;
    if (!(media instanceof MediaServer)) throw new Error('expected the embedded MediaServer');
    const chair = await t.client('chair');
    const town = await t.client('zixi');
    const joinedChair = await ok(chair, 'room:join', { roomId: 'city-weekly' });
    await ok(town, 'room:join', { roomId: 'city-weekly' });
    await ok(chair, 'transport:create', { direction: 'send' });

    const recreated = Promise.all([
      nextEvent(chair, 'room:recreated', 20_000),
      nextEvent(town, 'room:recreated', 20_000),
    ]);
    const [pid] = media.workerPids();
    if (pid === undefined) throw new Error('no worker');
    process.kill(pid, 'SIGKILL');
    expect(await recreated).toEqual([{ roomId: 'city-weekly' }, { roomId: 'city-weekly' }]);

    // The old peers are gone; the sockets stay connected and join afresh.
    expect(t.beacon.node.rooms.counts().participants).toBe(0);
    expect(await request(chair, 'transport:create', { direction: 'send' })).toMatchObject({
      ok: false,
      error: { code: 'not_in_room' },
    });
    const again = await ok(chair, 'room:join', { roomId: 'city-weekly' });
    expect(again.peerId).not.toBe(joinedChair.peerId);
    await ok(town, 'room:join', { roomId: 'city-weekly' });
    const send = await ok(chair, 'transport:create', { direction: 'send' });
    await ok(chair, 'producer:create', micProducer(send.id));
    expect(media.counts()).toMatchObject({ rooms: 1, workersAlive: 1 });
    expect((await fetch(`${t.url}/readyz`)).status).toBe(200);
  });
});
