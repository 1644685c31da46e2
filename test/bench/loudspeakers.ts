/**
 * Village loudspeakers called at once: one warning over N loudspeakers (应急广播) of 苍岭镇's villages.
 * A real Beacon (signaling → SIP gateway → Kamailio); the loudspeakers are SIPp UASes that answer at once
 * (uas-answer.xml) — every extension registers with its own SIP credentials (created through the admin API,
 * as an admin does) from one SIPp's port, and that one SIPp answers all their calls and takes their RTP.
 * Reports the time from the issue request until every loudspeaker answered (all are playing), until every
 * one was played to the end (the board says played), and the length of one broadcast (tone + speech, once).
 *
 * Run alone: `npm run ts -- test/bench/loudspeakers.ts [count]` (also part of `npm run bench`, BENCH_LOUDSPEAKERS).
 */
import type { CreatedTerminal, LoudspeakerCallView, WarningView } from '@beacon/protocol';
import { freeUdpPort } from '../src/ports.ts';
import { apiJson, loginApi } from '../src/signaling.ts';
import { startSipBeacon, waitForSubscriber } from '../src/sipBeacon.ts';
import { runSipp, startSipp } from '../src/sipp.ts';
import { waitFor } from '../src/waitFor.ts';

const seconds = (ms: number | null) => (ms === null ? null : Math.round(ms / 100) / 10);

export async function runLoudspeakerBench(opts: { loudspeakers: number }) {
  const n = opts.loudspeakers;
  // Each call takes two gateway ports (RTP and RTCP).
  const sip = await startSipBeacon({
    rtpPortCount: 2 * n + 50,
    env: { BEACON_LOUDSPEAKER_REPEAT: '1', LOG_LEVEL: 'warn' },
  });
  const { url } = sip.beacon;
  const post = <T>(path: string, body: unknown) =>
    apiJson<T>(url, sip.adminToken, path, { method: 'POST', body: JSON.stringify(body) });
  const localPort = await freeUdpPort();
  let uas: Awaited<ReturnType<typeof startSipp>> | null = null;
  try {
    const village = await post<{ id: string }>('/api/v1/admin/villages', {
      townshipId: 'cangling',
      name: '基准村',
      kind: 'village',
      lat: 24.84,
      lon: 101.6,
    });
    const speakers: { extension: string; password: string }[] = [];
    for (let i = 0; i < n; i++) {
      const extension = String(90_000 + i);
      const created = await post<CreatedTerminal>('/api/v1/admin/terminals', {
        kind: 'loudspeaker',
        name: `广播${i}`,
        villageId: village.id,
        extension,
      });
      speakers.push({ extension, password: created.sip?.password ?? '' });
    }
    const last = speakers.at(-1);
    if (last) await waitForSubscriber(sip.beacon, last.extension, last.password);
    const target = `${sip.sip.host}:${sip.sip.port}`;
    for (const s of speakers) {
      const result = await runSipp({
        scenario: 'register.xml',
        target,
        localPort,
        service: s.extension,
        authUser: s.extension,
        password: s.password,
        keys: { expires: '3600' },
        timeoutMs: 10_000,
      });
      if (result.exitCode !== 0) throw new Error(`${s.extension} not registered: ${result.errors.slice(-500)}`);
    }
    uas = await startSipp({ scenario: 'uas-answer.xml', target, localPort, pauseMs: 0, timeoutMs: 600_000 });
    await waitFor(
      'signaling to know every loudspeaker registered',
      () => apiJson<{ registered: boolean }[]>(url, sip.adminToken, '/api/v1/sip/loudspeakers'),
      (list) => list.filter((l) => l.registered).length === n,
      { timeoutMs: 60_000, intervalMs: 500 },
    );

    const { token } = await loginApi(url, 'duty');
    const draft = await apiJson<WarningView>(url, token, '/api/v1/warnings', {
      method: 'POST',
      body: JSON.stringify({
        event: '山洪',
        colour: 'orange',
        headline: '苍岭镇山洪橙色预警',
        instruction: '请立即组织转移',
        area: { type: 'circle', center: [24.84, 101.6], radiusKm: 3 },
        expires: new Date(Date.now() + 3_600_000).toISOString(),
        escalationMinutes: 0,
      }),
    });
    const t0 = performance.now();
    await apiJson(url, token, `/api/v1/warnings/${draft.id}/issue`, { method: 'POST' });
    let allPlayingMs: number | null = null;
    const board = await waitFor(
      `all ${n} loudspeakers played`,
      async () => {
        const calls = await apiJson<LoudspeakerCallView[]>(url, token, `/api/v1/warnings/${draft.id}/loudspeakers`);
        if (allPlayingMs === null && calls.length === n && calls.every((c) => c.state !== 'calling')) {
          allPlayingMs = performance.now() - t0;
        }
        return calls;
      },
      (calls) => calls.length === n && calls.every((c) => c.state === 'played' || c.state === 'failed'),
      { timeoutMs: 300_000, intervalMs: 100 },
    );
    const allDoneMs = performance.now() - t0;
    const played = board.filter((c) => c.state === 'played');
    const broadcastMs = played.map((c) => Date.parse(c.playedAt ?? '') - Date.parse(c.startedAt));
    return {
      loudspeakers: n,
      played: played.length,
      failed: board.length - played.length,
      // Why, counted: `no_answer ×3, error (…) ×1`.
      failures:
        [
          ...board
            .filter((c) => c.state === 'failed')
            .reduce((m, c) => {
              const why = `${c.failure}${c.reason ? ` (${c.reason})` : ''}`;
              return m.set(why, (m.get(why) ?? 0) + 1);
            }, new Map<string, number>()),
        ]
          .map(([why, count]) => `${why} ×${count}`)
          .join(', ') || '—',
      'issue → all answered (s)': seconds(allPlayingMs),
      'issue → all played (s)': seconds(allDoneMs),
      'call start → played, min (s)': seconds(Math.min(...broadcastMs)),
      'call start → played, max (s)': seconds(Math.max(...broadcastMs)),
    };
  } finally {
    await uas?.stop();
    await sip.stop();
  }
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const count = Number(process.argv[2] ?? process.env.BENCH_LOUDSPEAKERS ?? 100);
  console.log(`## Village loudspeakers: one warning calls ${count} loudspeakers at once (SIPp UAS, auto-answer)`);
  console.table([await runLoudspeakerBench({ loudspeakers: count })]);
}
