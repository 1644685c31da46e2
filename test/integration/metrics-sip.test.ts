/**
 * The SIP gateway's numbers reach signaling's /metrics: a real Beacon process
 * (signaling → gateway → Kamailio) and a SIPp phone that dials a conference
 * with the right PIN. Skipped where SIPp or Kamailio is not installed.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type SipBeacon, startSipBeacon } from '../src/sipBeacon.ts';
import { isSippAvailable, runSipp } from '../src/sipp.ts';

const unavailable = isSippAvailable() ? null : 'sipp (sip-tester) is not installed';
if (unavailable) console.warn(`SIP metrics test skipped: ${unavailable}`);

const ANSWERED_IN = 'beacon_sip_calls_total{direction="in",outcome="answered"}';

async function metric(url: string, series: string): Promise<number> {
  const text = await (await fetch(`${url}/metrics`)).text();
  const line = text.split('\n').find((l) => l.startsWith(`${series} `));
  if (line === undefined) throw new Error(`${series} not exposed`);
  return Number(line.slice(series.length + 1));
}

describe.skipIf(unavailable !== null)('SIP gateway metrics', () => {
  let sip: SipBeacon;

  beforeAll(async () => {
    sip = await startSipBeacon();
    await sip.waitStatus((status) => status.available);
  }, 90_000);

  afterAll(async () => {
    await sip?.stop();
  });

  it('counts a dial-in that entered its room, and the mixer ticks that served it', async () => {
    const { url } = sip.beacon;
    const before = {
      answered: await metric(url, ANSWERED_IN),
      ticks: await metric(url, 'beacon_sip_mixer_ticks_total'),
    };
    const call = await runSipp({
      scenario: 'uac-pin-right.xml',
      target: `127.0.0.1:${sip.sip.port}`,
      service: '6001',
      authUser: '8003',
      password: await sip.phonePassword('8003'),
      keys: { from: '8003' },
      pauseMs: 2000,
      timeoutMs: 60_000,
    });
    expect(call.exitCode, call.errors || call.stdout.slice(-1500)).toBe(0);
    // Reported with the leg's end (a status report after each call).
    const deadline = Date.now() + 20_000;
    while ((await metric(url, ANSWERED_IN)) === before.answered && Date.now() < deadline) {
      await new Promise((resolve) => setTimeout(resolve, 200));
    }
    expect((await metric(url, ANSWERED_IN)) - before.answered).toBe(1);
    expect(await metric(url, 'beacon_sip_mixer_ticks_total')).toBeGreaterThan(before.ticks);
  }, 120_000);
});
