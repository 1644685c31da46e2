import { afterEach, describe, expect, it } from 'vitest';
import type { MediaControlEvents } from './MediaControlTypes.ts';
import { MediaServer } from './MediaServer.ts';
import { loopbackOptions } from './testing.ts';

type Recreated = MediaControlEvents['roomsrecreated'][0];

function nextRecreated(server: MediaServer): Promise<Recreated> {
  return new Promise((resolve) => server.once('roomsrecreated', resolve));
}

describe('worker death', () => {
  let server: MediaServer | undefined;

  afterEach(async () => {
    await server?.close();
  });

  it('re-creates the rooms of a killed worker and respawns it on the same port', async () => {
    const options = await loopbackOptions();
    server = await MediaServer.create(options);
    await server.ensureRoom('township-1');
    await server.createWebRtcTransport('township-1', 'alice', 'send');
    const [pid] = server.workerPids();
    expect(pid).toBeTypeOf('number');

    const recreated = nextRecreated(server);
    process.kill(pid as number, 'SIGKILL');
    const event = await recreated;

    expect(event.roomIds).toEqual(['township-1']);
    expect(event.reason).toContain(`pid ${pid}`);
    expect(server.counts()).toMatchObject({ workers: 1, workersAlive: 1, rooms: 1, peers: 0, transports: 0 });
    expect(server.workerPids()).not.toContain(pid);
    const { rtpCapabilities } = await server.ensureRoom('township-1');
    expect(rtpCapabilities.codecs?.length).toBeGreaterThan(0);
    const transport = await server.createWebRtcTransport('township-1', 'alice', 'send');
    expect(transport.iceCandidates.map((candidate) => candidate.port)).toContain(options.rtcPortBase);
  });

  it('moves rooms to a live worker when another worker dies', async () => {
    server = await MediaServer.create(await loopbackOptions(2));
    // Least-loaded placement puts one room on each worker.
    await server.ensureRoom('a');
    await server.ensureRoom('b');
    const pids = server.workerPids();
    expect(pids).toHaveLength(2);

    const recreated = nextRecreated(server);
    process.kill(pids[0] as number, 'SIGKILL');
    const event = await recreated;

    expect(event.roomIds).toHaveLength(1);
    expect(server.counts()).toMatchObject({ rooms: 2 });
    for (const roomId of ['a', 'b']) {
      await server.ensureRoom(roomId);
      await server.createWebRtcTransport(roomId, 'p', 'recv');
    }
    await expect.poll(() => server?.counts().workersAlive).toBe(2);
  });
});
