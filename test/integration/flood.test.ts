/**
 * Flooding a real node with real socket.io clients: one producer per source,
 * event rates per socket and per user (`rate_limited` with retryAfterMs, the
 * node still answering everyone else), chat rate and history, a socket whose
 * queues overflow is told why and disconnected, and socket.io's own HTTP
 * responses carry the security headers.
 */
import type { ErrorBody } from '@beacon/protocol';
import { io, type Socket } from 'socket.io-client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { MAX_HELD } from '../../signaling/src/rooms/Participant.ts';
import {
  connect,
  FAKE_DTLS,
  login,
  micProducer,
  ok,
  request,
  startTestNode,
  type TestClient,
  type TestNode,
  useTestNode,
  VP8_RTP,
} from './helpers.ts';

// Default limits (media 100/s burst 300, chat 1/s burst 5, user ×2) except a small chat history per meeting.
const t = useTestNode({ env: { BEACON_CHAT_MAX_PER_MEETING: '8' } });

async function metric(url: string, line: string): Promise<number> {
  const text = await (await fetch(`${url}/metrics`)).text();
  const found = text.split('\n').find((l) => l.startsWith(`${line} `));
  return found ? Number(found.split(' ')[1]) : 0;
}

function percentile(sorted: number[], p: number): number {
  return sorted[Math.min(sorted.length - 1, Math.floor((sorted.length * p) / 100))] ?? Number.NaN;
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

describe('one producer per source', () => {
  it('refuses a second camera with conflict on `source`, and takes a camera again once the first is closed', async () => {
    const town = await t.client('zixi');
    await ok(town, 'room:join', { roomId: 'city-weekly' });
    const send = await ok(town, 'transport:create', { direction: 'send' });
    await ok(town, 'transport:connect', { transportId: send.id, dtlsParameters: FAKE_DTLS });
    const camera = { transportId: send.id, kind: 'video', rtpParameters: VP8_RTP, source: 'camera' };
    const first = await ok(town, 'producer:create', camera);
    const second = await request(town, 'producer:create', {
      ...camera,
      rtpParameters: { ...VP8_RTP, encodings: [{ ssrc: 4444 }] },
    });
    expect(second).toMatchObject({ ok: false, error: { code: 'conflict', field: 'source' } });
    expect(
      t.beacon.node.rooms
        .get('city-weekly')
        ?.producers()
        .filter((p) => p.source === 'camera'),
    ).toHaveLength(1);
    // Another source is not the camera: taken; with the first camera closed, a camera is taken again.
    await ok(town, 'producer:create', micProducer(send.id));
    await ok(town, 'producer:close', { producerId: first.producerId });
    await ok(town, 'producer:create', { ...camera, rtpParameters: { ...VP8_RTP, encodings: [{ ssrc: 5555 }] } });
    await ok(town, 'room:leave', {});
  });
});

describe('event rate', () => {
  it('answers a client sending 1,000 events/s rate_limited while another client is served promptly', async () => {
    const healthy = await t.client('duty');
    await ok(healthy, 'room:join', { roomId: 'emergency-drill' });
    const attacker = await t.client('lucheng');
    await ok(attacker, 'room:join', { roomId: 'emergency-drill' });
    const before = await metric(t.url, 'beacon_socket_rate_limited_total{class="media"}');

    const raw = attacker as unknown as Socket;
    const floodAcks: Promise<{ ok: boolean; error?: ErrorBody }>[] = [];
    const flood = (async () => {
      // 100 batches of 10, one batch every 10 ms: ~1,000 events/s.
      for (let batch = 0; batch < 100; batch += 1) {
        for (let i = 0; i < 10; i += 1) {
          floodAcks.push(raw.timeout(30_000).emitWithAck('consumer:resume', { consumerId: `c-${batch}-${i}` }));
        }
        await sleep(10);
      }
    })();
    // Meanwhile the healthy client asks something every 20 ms (well within its rate) and times each answer.
    const latencies: number[] = [];
    let flooding = true;
    void flood.then(() => {
      flooding = false;
    });
    while (flooding || latencies.length < 20) {
      const started = performance.now();
      const res = await request(healthy, 'producer:pause', { producerId: 'no-such-producer' });
      latencies.push(performance.now() - started);
      expect(res).toMatchObject({ ok: false, error: { code: 'producer_not_found' } });
      await sleep(20);
    }
    await flood;
    const answers = await Promise.all(floodAcks);

    const limited = answers.filter((a) => !a.ok && a.error?.code === 'rate_limited');
    const served = answers.filter((a) => !a.ok && a.error?.code === 'consumer_not_found');
    expect(limited.length + served.length).toBe(1000);
    expect(limited.length).toBeGreaterThan(0);
    for (const answer of limited) expect(answer.error?.retryAfterMs).toBeGreaterThan(0);
    // The burst and what refilled during the flood were served, not more.
    expect(served.length).toBeGreaterThanOrEqual(300);
    expect(served.length).toBeLessThan(1000);
    expect(await metric(t.url, 'beacon_socket_rate_limited_total{class="media"}')).toBe(before + limited.length);

    const sorted = [...latencies].sort((a, b) => a - b);
    console.log(
      `flood: ${answers.length} events from one socket in ~1 s, ${served.length} served, ${limited.length} rate_limited; ` +
        `another client's ack latency meanwhile over ${sorted.length} requests: ` +
        `median ${percentile(sorted, 50).toFixed(1)} ms, p95 ${percentile(sorted, 95).toFixed(1)} ms, ` +
        `max ${(sorted.at(-1) ?? 0).toFixed(1)} ms`,
    );
    // The attacker's bucket refills: after the wait it is served again.
    await sleep(Math.max(...limited.map((a) => a.error?.retryAfterMs ?? 0)) + 50);
    expect(await request(attacker, 'consumer:resume', { consumerId: 'after' })).toMatchObject({
      error: { code: 'consumer_not_found' },
    });
    await ok(attacker, 'room:leave', {});
    await ok(healthy, 'room:leave', {});
  });

  it("limits chat per socket and across a user's sockets, and not other users", async () => {
    // Outside a room chat is answered not_in_room, but each try still costs a token.
    const tabs = [await t.client('bajiao'), await t.client('bajiao'), await t.client('bajiao')];
    const burst = (socket: TestClient, n: number) =>
      Promise.all(
        Array.from({ length: n }, async (_, i) => {
          const res = await request(socket, 'chat:send', { text: `刷屏 ${i}` });
          return res.ok ? 'ok' : res.error;
        }),
      );
    // Ten at once from each of three tabs: a tab gets its burst of 5, the user 10 in all (not 15),
    // give or take what refills (1/s a tab, 2/s the user) while they are on the way.
    const answers = await Promise.all(tabs.map((tab) => burst(tab, 10)));
    const served = answers.map((tab) => tab.filter((a) => a !== 'ok' && a.code === 'not_in_room').length);
    for (const count of served) expect(count).toBeLessThanOrEqual(6);
    expect(served.reduce((a, b) => a + b)).toBeGreaterThanOrEqual(10);
    expect(served.reduce((a, b) => a + b)).toBeLessThan(15);
    const limited = answers.flat().filter((a) => a !== 'ok' && a.code === 'rate_limited');
    expect(limited.length).toBe(30 - served.reduce((a, b) => a + b));
    for (const refusal of limited) expect(refusal !== 'ok' && refusal.retryAfterMs).toBeGreaterThan(0);
    // Another user is not affected.
    const other = await t.client('zhongshan');
    expect(await burst(other, 5)).toEqual(Array(5).fill(expect.objectContaining({ code: 'not_in_room' })));
  });

  it("bounds a meeting's chat history", async () => {
    const senders = [await t.client('chair'), await t.client('sanjie'), await t.client('xincun')];
    for (const s of senders) await ok(s, 'room:join', { roomId: 'emergency-drill' });
    const results: string[] = [];
    // 3 users × 3 messages, within each one's rate: the 9th is beyond the meeting's 8.
    for (let round = 0; round < 3; round += 1) {
      for (const s of senders) {
        const res = await request(s, 'chat:send', { text: `第${round}轮` });
        results.push(res.ok ? 'ok' : res.error.code);
      }
    }
    expect(results).toEqual([...Array(8).fill('ok'), 'rate_limited']);
    expect(await metric(t.url, 'beacon_socket_rate_limited_total{class="chat_history"}')).toBe(1);
    for (const s of senders) await ok(s, 'room:leave', {});
  });
});

describe('security headers on socket.io responses', () => {
  it('are on the long-polling handshake and its errors', async () => {
    for (const query of ['EIO=4&transport=polling', 'EIO=4&transport=polling&sid=unknown']) {
      const res = await fetch(`${t.url}/socket.io/?${query}`);
      await res.arrayBuffer();
      expect(res.headers.get('x-content-type-options'), query).toBe('nosniff');
      expect(res.headers.get('content-security-policy'), query).toBe("default-src 'none'; frame-ancestors 'none'");
      expect(res.headers.get('x-frame-options'), query).toBe('DENY');
      expect(res.headers.get('referrer-policy'), query).toBe('no-referrer');
    }
  });
});

describe('bounded queues', () => {
  let small: TestNode;
  const sockets: Socket[] = [];
  beforeAll(async () => {
    // Rates off: the queues themselves are what is flooded here.
    small = await startTestNode({
      env: {
        BEACON_RATE_MEDIA: 'off',
        BEACON_RATE_CONTROL: 'off',
        BEACON_RATE_COMMAND: 'off',
        BEACON_RATE_CHAT: 'off',
        BEACON_SOCKET_QUEUE_MAX: '5',
        BEACON_SOCKET_OUTBOX_MAX: '100',
      },
    });
  });
  afterAll(async () => {
    for (const socket of sockets) socket.close();
    await small?.stop();
  });
  const client = async (username: string) => {
    const socket = await connect(small.node.url, await login(small.node.url, username));
    sockets.push(socket as unknown as Socket);
    return socket;
  };

  it('disconnects a socket with too many events waiting, saying why; others carry on', async () => {
    const flooder = await client('lucheng');
    await ok(flooder, 'room:join', { roomId: 'emergency-drill' });
    const bystander = await client('duty');
    await ok(bystander, 'room:join', { roomId: 'emergency-drill' });
    const closed = new Promise<ErrorBody>((resolve) => flooder.once('session:closed', resolve));
    const gone = new Promise<string>((resolve) => flooder.once('disconnect', resolve));
    // Emitted without waiting: each chat is a store write, so they pile up behind each other.
    const raw = flooder as unknown as Socket;
    for (let i = 0; i < 200; i += 1) raw.emit('chat:send', { text: `洪水 ${i}` }, () => undefined);
    expect(await closed).toMatchObject({ code: 'rate_limited' });
    expect(await gone).toBe('io server disconnect');
    expect(await metric(small.node.url, 'beacon_socket_flood_disconnects_total{queue="in"}')).toBe(1);
    await expect.poll(() => small.node.rooms.participantCount('emergency-drill'), { timeout: 10_000 }).toBe(1);
    expect(await request(bystander, 'producer:pause', { producerId: 'x' })).toMatchObject({
      error: { code: 'producer_not_found' },
    });
    await ok(bystander, 'room:leave', {});
  });

  it('disconnects a socket that stops reading', async () => {
    const url = small.node.url;
    const reader = io(url, {
      path: '/socket.io',
      transports: ['polling'],
      auth: { token: await login(url, 'donggua') },
      reconnection: false,
      forceNew: true,
    }) as unknown as TestClient;
    sockets.push(reader as unknown as Socket);
    await new Promise<void>((resolve, reject) => {
      reader.once('connect', () => resolve());
      reader.once('connect_error', reject);
    });
    await ok(reader, 'room:join', { roomId: 'city-weekly' });
    const talker = await client('chair');
    await ok(talker, 'room:join', { roomId: 'city-weekly' });
    const before = await metric(url, 'beacon_socket_flood_disconnects_total{queue="out"}');
    // The reader stops polling: whatever is emitted to it stays in the node's write buffer.
    const transport = (reader as unknown as Socket).io.engine.transport as unknown as { pause(cb: () => void): void };
    transport.pause(() => undefined);
    for (let i = 0; i < 150; i += 1) await ok(talker, 'chat:send', { text: `消息 ${i}` });
    await expect
      .poll(() => metric(url, 'beacon_socket_flood_disconnects_total{queue="out"}'), { timeout: 10_000 })
      .toBe(before + 1);
    await expect.poll(() => small.node.rooms.participantCount('city-weekly'), { timeout: 10_000 }).toBe(1);
    await ok(talker, 'room:leave', {});
  });
  it('refuses to resume a peer that missed more emits than are held for it; it joins afresh', async () => {
    const chair = await client('chair');
    await ok(chair, 'room:join', { roomId: 'emergency-drill' });
    const send = await ok(chair, 'transport:create', { direction: 'send' });
    await ok(chair, 'transport:connect', { transportId: send.id, dtlsParameters: FAKE_DTLS });
    const mic = await ok(chair, 'producer:create', micProducer(send.id));
    const town = await client('xincun');
    const joined = await ok(town, 'room:join', { roomId: 'emergency-drill' });
    await ok(town, 'transport:create', { direction: 'recv' });
    await ok(town, 'room:ready', { rtpCapabilities: joined.routerRtpCapabilities });
    // The township's network drops: it is held as reconnecting, its emits kept for its return.
    (town as unknown as Socket).io.engine.close();
    const peer = () => small.node.rooms.get('emergency-drill')?.get(joined.peerId);
    await expect.poll(() => peer()?.reconnecting, { timeout: 10_000 }).toBe(true);
    // Each pause and resume of the chair's mic is an emit for the township's consumer of it.
    for (let i = 0; i <= MAX_HELD / 2; i += 1) {
      await ok(chair, 'producer:pause', { producerId: mic.producerId });
      await ok(chair, 'producer:resume', { producerId: mic.producerId });
    }
    const back = await client('xincun');
    expect(
      await request(back, 'room:resume', {
        roomId: 'emergency-drill',
        peerId: joined.peerId,
        resumeToken: joined.resumeToken,
      }),
    ).toMatchObject({ ok: false, error: { code: 'resume_failed' } });
    expect(peer()).toBeUndefined();
    await ok(back, 'room:join', { roomId: 'emergency-drill' });
    expect(small.node.rooms.participantCount('emergency-drill')).toBe(2);
    await ok(back, 'room:leave', {});
    await ok(chair, 'room:leave', {});
  });
});
