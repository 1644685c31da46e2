import { MediaServer } from '@beacon/media-server';
import { loopbackOptions } from '@beacon/media-server/testing';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { AuthClaims } from '../auth/tokens.ts';
import { Participant, ParticipantState } from './Participant.ts';
import { RoomRegistry } from './RoomRegistry.ts';

const claims: AuthClaims = {
  userId: 'u-chair',
  username: 'chair',
  displayName: '主席',
  role: 'chair',
  townshipId: null,
};

function participant(peerId: string, roomId = 'city-weekly'): Participant {
  return new Participant({ peerId, roomId, socketId: `s-${peerId}`, claims });
}

describe('RoomRegistry', () => {
  let media: MediaServer;
  let registry: RoomRegistry;

  beforeEach(async () => {
    media = await MediaServer.create(await loopbackOptions());
    registry = new RoomRegistry(media);
  });

  afterEach(async () => {
    registry.close();
    await media.close();
  });

  it('creates one room for simultaneous first joins', async () => {
    const created: string[] = [];
    registry.on('roomcreated', (room) => created.push(room.id));
    const [a, b, c] = await Promise.all([
      registry.join('city-weekly', participant('a')),
      registry.join('city-weekly', participant('b')),
      registry.getOrCreate('city-weekly'),
    ]);
    expect(a).toBe(b);
    expect(a).toBe(c);
    expect(created).toEqual(['city-weekly']);
    expect(media.counts().rooms).toBe(1);
    expect(registry.counts()).toEqual({ rooms: 1, participants: 2 });
    expect(a.routerRtpCapabilities).toHaveProperty('codecs');
  });

  it('closes the room and its media when the last peer leaves', async () => {
    const closed: string[] = [];
    registry.on('roomclosed', ({ roomId }) => closed.push(roomId));
    const p1 = participant('a');
    const p2 = participant('b');
    const room = await registry.join('city-weekly', p1);
    await registry.join('city-weekly', p2);
    room.remove('a');
    expect(p1.state).toBe(ParticipantState.Left);
    expect(media.hasRoom('city-weekly')).toBe(true);
    room.remove('b');
    expect(closed).toEqual(['city-weekly']);
    expect(room.closed).toBe(true);
    expect(registry.get('city-weekly')).toBeUndefined();
    expect(media.hasRoom('city-weekly')).toBe(false);

    // The next join starts afresh.
    const again = await registry.join('city-weekly', participant('c'));
    expect(again).not.toBe(room);
    expect(media.counts().rooms).toBe(1);
  });

  it('tells others about joins and leaves, not the subject', async () => {
    const room = await registry.getOrCreate('emergency-drill');
    const events: string[] = [];
    room.on('peerjoined', (peer) => events.push(`joined ${peer.peerId}`));
    room.on('peerleft', ({ peerId }) => events.push(`left ${peerId}`));
    await registry.join('emergency-drill', participant('a', 'emergency-drill'));
    room.remove('a');
    room.remove('a'); // idempotent
    expect(events).toEqual(['joined a', 'left a']);
  });

  it('drops re-created rooms and hands back their participants', async () => {
    const p1 = participant('a');
    await registry.join('city-weekly', p1);
    const dropped = registry.dropRooms(['city-weekly', 'unknown-room']);
    expect(dropped).toEqual([p1]);
    expect(p1.state).toBe(ParticipantState.Left);
    expect(registry.counts()).toEqual({ rooms: 0, participants: 0 });
  });
});
