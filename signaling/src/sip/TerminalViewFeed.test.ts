/**
 * A video terminal's main view held to its bandwidth, on a real media server:
 * a simulcast H.264 camera (150 / 500 / 1200 kbit/s declared) is forwarded at
 * the largest layer that fits the terminal's b= (the plain consumer's
 * preferred layer in mediasoup), or handed to the gateway's transcoder when
 * none fits. The media server is wrapped only to learn which consumer the
 * feed made, so the test can read that consumer's layers back from mediasoup.
 */
import { MediaServer, type PlainConsumerInput } from '@beacon/media-server';
import { loopbackOptions } from '@beacon/media-server/testing';
import type { PhoneView } from '@beacon/protocol';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { AuthClaims } from '../auth/tokens.ts';
import type { ConferenceRoom } from '../rooms/ConferenceRoom.ts';
import { Participant } from '../rooms/Participant.ts';
import { RoomRegistry } from '../rooms/RoomRegistry.ts';
import { TerminalViewFeed } from './TerminalViewFeed.ts';

const ROOM = 'city-weekly';
const claims = (userId: string, role: AuthClaims['role']): AuthClaims => ({
  userId,
  username: userId,
  displayName: userId,
  role,
  townshipId: null,
});

let media: MediaServer;
let registry: RoomRegistry;
let room: ConferenceRoom;
/** The plain consumers the feed asked the media server for: peer and consumer ids. */
let made: { peerId: string; consumerId: string }[];
let feeds: TerminalViewFeed[];

beforeEach(async () => {
  media = await MediaServer.create(await loopbackOptions());
  const createPlainConsumer = media.createPlainConsumer.bind(media);
  made = [];
  feeds = [];
  media.createPlainConsumer = async (roomId: string, peerId: string, producerId: string, input: PlainConsumerInput) => {
    const result = await createPlainConsumer(roomId, peerId, producerId, input);
    made.push({ peerId, consumerId: result.consumerId });
    return result;
  };
  registry = new RoomRegistry(media);
  const camera = new Participant({ peerId: 'cam', roomId: ROOM, socketId: 's-cam', claims: claims('u-cam', 'chair') });
  room = await registry.join(ROOM, camera);
  await registry.join(
    ROOM,
    new Participant({ peerId: 'term', roomId: ROOM, socketId: 's-term', claims: claims('phone:8101', 'township') }),
  );
  // A simulcast H.264 camera whose sender declared each layer's bit rate.
  const plain = await media.createPlainProducer(ROOM, 'cam', {
    kind: 'video',
    rtpParameters: {
      codecs: [
        {
          mimeType: 'video/H264',
          payloadType: 102,
          clockRate: 90_000,
          parameters: { 'packetization-mode': 1, 'profile-level-id': '42e01f' },
        },
      ],
      encodings: [
        { ssrc: 1001, maxBitrate: 150_000 },
        { ssrc: 1002, maxBitrate: 500_000 },
        { ssrc: 1003, maxBitrate: 1_200_000 },
      ],
    },
  });
  const producer = { id: plain.producerId, peerId: 'cam', kind: 'video' as const, paused: false, appData: {} };
  await room.adoptProducer(camera, producer, 'camera', [150, 500, 1200]);
});

afterEach(async () => {
  for (const feed of feeds) feed.close();
  registry.close();
  await media.close();
});

/** Starts a terminal's feed and resolves with the first view it sends, and the mediasoup consumer behind it. */
async function firstView(maxKbps: number | null) {
  const views: PhoneView[] = [];
  feeds.push(
    TerminalViewFeed.start({
      room,
      peerId: 'term',
      media,
      remote: { ip: '127.0.0.1', port: 9 },
      maxKbps,
      send: (view) => views.push(view),
    }),
  );
  const deadline = Date.now() + 10_000;
  while (views.length === 0 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 10));
  const view = views[0];
  const ids = made.at(-1);
  if (!view || !ids) throw new Error('no main view sent');
  return { view, consumer: media.localRoom(ROOM).consumer(ids.peerId, ids.consumerId) };
}

describe('TerminalViewFeed and the terminal’s bandwidth', () => {
  it('forwards the largest simulcast layer that fits the terminal’s b=, and sends it at once', async () => {
    const { view, consumer } = await firstView(768);
    expect(view).toMatchObject({ peerId: 'cam', codec: 'H264' });
    expect(view.transcode).toBeUndefined();
    expect(consumer.preferredLayers?.spatialLayer).toBe(1);
    expect(consumer.paused).toBe(false);
  });

  it('forwards every layer to a terminal that gave no bandwidth', async () => {
    const { view, consumer } = await firstView(null);
    expect(view.transcode).toBeUndefined();
    expect(consumer.preferredLayers?.spatialLayer).toBe(2);
  });

  it('sends H.264 that fits in no layer to the transcoder', async () => {
    const { view } = await firstView(100);
    expect(view).toMatchObject({ codec: 'H264', transcode: true });
  });
});
