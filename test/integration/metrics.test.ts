/**
 * /metrics against a real node and real socket.io clients: what users do
 * (join, a refused join, a failed sign-in, an alert issued and acknowledged
 * from a township terminal, the SIP gateway's status reports) moves the
 * counters and histograms by exactly that much; and /metrics is refused
 * (403 `forbidden`) without loopback trust or the scrape token.
 */
import { randomUUID } from 'node:crypto';
import type { AlertForTerminal, GatewayCounters, WarningView } from '@beacon/protocol';
import { describe, expect, it } from 'vitest';
import { api, connect, login, nextEvent, ok, request, startTestNode, type TestClient, useTestNode } from './helpers.ts';

const t = useTestNode();

async function scrape(url = t.url, init: RequestInit = {}): Promise<string> {
  const res = await fetch(`${url}/metrics`, init);
  expect(res.status).toBe(200);
  return res.text();
}

/** One series' value; 0 while a labelled series has never been incremented. */
function value(exposition: string, series: string): number {
  const line = exposition.split('\n').find((l) => l.startsWith(`${series} `));
  return line === undefined ? 0 : Number(line.slice(series.length + 1));
}

/** How much each series grew while `act` ran. */
async function growth(series: string[], act: () => Promise<void>): Promise<Record<string, number>> {
  const before = await scrape();
  await act();
  const after = await scrape();
  return Object.fromEntries(series.map((s) => [s, value(after, s) - value(before, s)]));
}

async function postLogin(body: unknown): Promise<number> {
  const res = await fetch(`${t.url}/api/v1/auth/login`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify(body),
  });
  return res.status;
}

describe('counters follow what users do', () => {
  it('counts a join, and refused joins by their error code', async () => {
    const chair = await t.client('chair');
    const duty = await t.client('duty');
    const grew = await growth(
      [
        'beacon_room_joins_total',
        'beacon_room_join_failures_total{code="room_not_found"}',
        'beacon_room_join_failures_total{code="bad_request"}',
      ],
      async () => {
        await ok(chair, 'room:join', { roomId: 'city-weekly' });
        expect(await request(duty, 'room:join', { roomId: 'no-such-room' })).toMatchObject({
          error: { code: 'room_not_found' },
        });
        expect(await request(duty, 'room:join', { roomId: 42 })).toMatchObject({ error: { code: 'bad_request' } });
        // Not a join: other events' failures are not counted as join failures.
        expect(await request(duty, 'room:leave', {})).toMatchObject({ ok: false });
      },
    );
    expect(grew).toEqual({
      beacon_room_joins_total: 1,
      'beacon_room_join_failures_total{code="room_not_found"}': 1,
      'beacon_room_join_failures_total{code="bad_request"}': 1,
    });
    await ok(chair, 'room:leave', {});
  });

  it('counts refused sign-ins by reason, never naming the account', async () => {
    const grew = await growth(
      [
        'beacon_sign_in_failures_total{reason="wrong_password"}',
        'beacon_sign_in_failures_total{reason="unknown_user"}',
        'beacon_sign_in_failures_total{reason="malformed"}',
      ],
      async () => {
        expect(await postLogin({ username: 'duty', password: 'not-the-password' })).toBe(401);
        expect(await postLogin({ username: 'nobody-by-this-name', password: 'whatever-it-is' })).toBe(401);
        expect(await postLogin({ username: 'duty' })).toBe(400);
        await login(t.url, 'duty');
      },
    );
    expect(grew).toEqual({
      'beacon_sign_in_failures_total{reason="wrong_password"}': 1,
      'beacon_sign_in_failures_total{reason="unknown_user"}': 1,
      'beacon_sign_in_failures_total{reason="malformed"}': 1,
    });
    expect(await scrape()).not.toContain('nobody-by-this-name');
  });

  it('measures an alert from issue to delivery and to its ack, and counts the ack by channel', async () => {
    const duty = await login(t.url, 'duty');
    const township = await t.client('lucheng');
    const created = await api(t.url, duty, '/api/v1/warnings', {
      method: 'POST',
      body: JSON.stringify({
        event: '暴雨',
        colour: 'orange',
        headline: '暴雨橙色预警',
        // 鹿城镇's seat (25.04, 101.54) and nothing far from it.
        area: { type: 'circle', center: [25.04, 101.54], radiusKm: 2 },
        expires: new Date(Date.now() + 3_600_000).toISOString(),
        incidentId: null,
        escalationMinutes: 60,
      }),
    });
    expect(created.status).toBe(201);
    const warning = (await created.json()) as WarningView;

    let elapsedS = 0;
    const grew = await growth(
      [
        'beacon_alert_delivery_seconds_count',
        'beacon_alert_ack_seconds_count',
        'beacon_alert_ack_seconds_sum',
        'beacon_alert_acks_total{channel="terminal"}',
        'beacon_alert_acks_total{channel="phone"}',
      ],
      async () => {
        const started = Date.now();
        const banner: Promise<AlertForTerminal> = nextEvent(township, 'alert:new');
        const issued = await api(t.url, duty, `/api/v1/warnings/${warning.id}/issue`, { method: 'POST', body: '{}' });
        expect(issued.status).toBe(200);
        expect((await banner).warningId).toBe(warning.id);
        await ok(township, 'alert:received', { warningId: warning.id });
        await ok(township, 'alert:received', { warningId: warning.id });
        await ok(township, 'alert:ack', { warningId: warning.id });
        // A second ack is the same ack: not counted again.
        await ok(township, 'alert:ack', { warningId: warning.id });
        elapsedS = (Date.now() - started) / 1000;
      },
    );
    const { beacon_alert_ack_seconds_sum: ackSum, ...counts } = grew;
    expect(counts).toEqual({
      beacon_alert_delivery_seconds_count: 1,
      beacon_alert_ack_seconds_count: 1,
      'beacon_alert_acks_total{channel="terminal"}': 1,
      'beacon_alert_acks_total{channel="phone"}': 0,
    });
    // Measured from the issue, which happened inside the window.
    expect(ackSum).toBeGreaterThanOrEqual(0);
    expect(ackSum).toBeLessThanOrEqual(elapsedS);
  });

  it("adds the SIP gateway's reported call outcomes and late ticks, across a gateway restart", async () => {
    const { token } = await t.beacon.node.tokens.issue({
      userId: 'sip-gateway',
      username: 'sip-gateway',
      displayName: 'SIP gateway',
      role: 'service',
      townshipId: null,
    });
    const gw: TestClient = await connect(t.url, token);
    const status = (counters: GatewayCounters) =>
      ok(gw, 'sip:status', { kamailio: 'running', reason: null, registrations: [], inCall: [], counters });
    const firstBoot = randomUUID();
    const answered = (count: number) => ({ direction: 'out', outcome: 'answered', count }) as const;
    try {
      const grew = await growth(
        [
          'beacon_sip_calls_total{direction="out",outcome="answered"}',
          'beacon_sip_calls_total{direction="in",outcome="rejected_pin"}',
          'beacon_sip_mixer_ticks_total',
          'beacon_sip_mixer_late_ticks_total',
        ],
        async () => {
          await status({ bootId: firstBoot, calls: [answered(2)], mixerTicks: 500, mixerLateTicks: 3 });
          // The same totals again (the 30 s refresh) add nothing; growth adds the difference.
          await status({ bootId: firstBoot, calls: [answered(2)], mixerTicks: 500, mixerLateTicks: 3 });
          await status({
            bootId: firstBoot,
            calls: [answered(3), { direction: 'in', outcome: 'rejected_pin', count: 1 }],
            mixerTicks: 800,
            mixerLateTicks: 4,
          });
          // Restarted gateway: its totals start again from zero and are added, not subtracted.
          await status({ bootId: randomUUID(), calls: [answered(1)], mixerTicks: 100, mixerLateTicks: 1 });
        },
      );
      expect(grew).toEqual({
        'beacon_sip_calls_total{direction="out",outcome="answered"}': 4,
        'beacon_sip_calls_total{direction="in",outcome="rejected_pin"}': 1,
        beacon_sip_mixer_ticks_total: 900,
        beacon_sip_mixer_late_ticks_total: 5,
      });
      expect(
        await request(gw, 'sip:status', {
          kamailio: 'running',
          reason: null,
          registrations: [],
          inCall: [],
          counters: { bootId: firstBoot, calls: [{ direction: 'sideways', outcome: 'answered', count: 1 }] },
        }),
      ).toMatchObject({ ok: false, error: { code: 'bad_request' } });
    } finally {
      gw.close();
    }
  });
});

describe('who may read /metrics', () => {
  it('with loopback trust off, answers only the scrape token: 403 forbidden otherwise', async () => {
    const scrapeToken = 'scrape-token-for-the-metrics-test-0123456789';
    const node = await startTestNode({
      env: { BEACON_METRICS_TOKEN: scrapeToken, BEACON_METRICS_LOOPBACK: 'off' },
    });
    try {
      const { url } = node.node;
      for (const authorization of [undefined, 'Bearer wrong-token', `Basic ${scrapeToken}`, `Bearer ${scrapeToken}x`]) {
        const res = await fetch(`${url}/metrics`, authorization ? { headers: { authorization } } : {});
        expect(res.status, authorization ?? 'no token').toBe(403);
        expect(await res.json()).toEqual({ error: { code: 'forbidden', message: expect.any(String) } });
      }
      const text = await scrape(url, { headers: { authorization: `Bearer ${scrapeToken}` } });
      expect(text).toContain('beacon_room_joins_total 0');
      // The other operations endpoints stay open to load balancers.
      expect((await fetch(`${url}/healthz`)).status).toBe(200);
    } finally {
      await node.stop();
    }
  });

  it('serves a loopback client without a token by default', async () => {
    expect(await scrape()).toContain('# TYPE beacon_room_join_failures_total counter');
  });
});
