/**
 * The link up (上联) beyond the chair's dial: the upstream conference calling
 * the city's meeting number itself, and the link surviving a restart. One
 * city Beacon (signaling → gateway → Kamailio) whose upstream and trusted
 * peer is 127.0.0.2, played by SIPp: as an MCU calling in (uac-upstream.xml,
 * no digest, no PIN) and as the conference the city dials (uas-answer.xml).
 * A desk phone on 127.0.0.1 calling the same number still keys the PIN.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { PeerInfo, UpstreamStatus } from '@beacon/protocol';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { freeUdpPort } from '../src/ports.ts';
import { apiJson, loginApi, SignalingClient } from '../src/signaling.ts';
import { type SipBeacon, startSipBeacon } from '../src/sipBeacon.ts';
import { isSippAvailable, runSipp, type SippHandle, startSipp } from '../src/sipp.ts';
import { waitFor } from '../src/waitFor.ts';

const unavailable = isSippAvailable() ? null : 'sipp (sip-tester) is not installed';
if (unavailable) console.warn(`upstream call-in tests skipped: ${unavailable}`);

const PROVINCE = '127.0.0.2';
const UPSTREAM_LABEL = '上级会场';

describe.skipIf(unavailable !== null)('the upstream calling in, and the link across a restart', () => {
  let dataDir = '';
  let city: SipBeacon | undefined;
  let upstreamPort = 0;
  const clients: SignalingClient[] = [];

  const start = () =>
    startSipBeacon({
      dataDir,
      // The far ends here send a few seconds of audio at most: no RTP-timeout drop during the test.
      rtpTimeoutMs: 120_000,
      env: { BEACON_UPSTREAM_URI: `sip:6001@${PROVINCE}:${upstreamPort}`, BEACON_SIP_PEERS: PROVINCE },
    });

  beforeAll(async () => {
    dataDir = await mkdtemp(join(tmpdir(), 'beacon-upstream-in-'));
    upstreamPort = await freeUdpPort();
    city = await start();
  }, 120_000);

  afterAll(async () => {
    for (const client of clients) client.close();
    await city?.stop();
    await rm(dataDir, { recursive: true, force: true });
  });

  /** The chair in the city meeting, following the link's status. */
  async function chair(beacon: SipBeacon): Promise<{ client: SignalingClient; statuses: UpstreamStatus[] }> {
    const { token } = await loginApi(beacon.beacon.url, 'chair');
    const client = await SignalingClient.connect(beacon.beacon.url, token);
    clients.push(client);
    const statuses: UpstreamStatus[] = [];
    client.socket.on('upstream:status', (status) => statuses.push(status));
    await client.join('city-weekly');
    statuses.push(await client.ok('upstream:status', {}));
    return { client, statuses };
  }

  const upstreamPeer = (client: SignalingClient): PeerInfo | undefined =>
    [...client.peers.values()].find((p) => p.displayName === UPSTREAM_LABEL);

  async function auditActions(beacon: SipBeacon): Promise<{ action: string; detail: unknown }[]> {
    return apiJson<{ action: string; detail: unknown }[]>(
      beacon.beacon.url,
      beacon.adminToken,
      '/api/v1/audit?limit=100',
    );
  }

  it('a call from the upstream’s peer address is the link (no PIN); a phone calling the same number keys the PIN', async () => {
    const beacon = city as SipBeacon;
    const { client, statuses } = await chair(beacon);
    expect(statuses.at(-1)).toMatchObject({ configured: true, state: 'idle' });

    // An ordinary caller on another address: digest-authenticated phone, asked for the PIN, not the link.
    const phone = await runSipp({
      scenario: 'uac-pin-right.xml',
      target: `127.0.0.1:${beacon.sip.port}`,
      service: '6001',
      authUser: '8003',
      password: await beacon.phonePassword('8003'),
      keys: { from: '8003' },
      pauseMs: 1000,
      timeoutMs: 60_000,
    });
    expect(phone.exitCode, phone.errors || phone.stdout.slice(-1500)).toBe(0);
    expect(statuses.every((s) => s.state === 'idle')).toBe(true);

    // The province's MCU calls in from the trusted peer address: answered, no PIN, and the room's link.
    const calledAt = Date.now();
    const mcu: SippHandle = await startSipp({
      scenario: 'uac-upstream.xml',
      target: `127.0.0.1:${beacon.sip.port}`,
      localIp: PROVINCE,
      service: '6001',
      calls: 1,
      timeoutMs: 90_000,
    });
    try {
      await waitFor(
        'the link connected by the call in',
        async () => statuses.at(-1),
        (s) => s?.state === 'connected',
        {
          timeoutMs: 30_000,
        },
      );
      expect(statuses.at(-1)).toMatchObject({ state: 'connected', incoming: true });
      const peer = await waitFor('the upstream tile', async () => upstreamPeer(client), Boolean, { timeoutMs: 20_000 });
      console.info(`upstream call in → its tile in the room: ${((Date.now() - calledAt) / 1000).toFixed(2)} s`);
      expect(peer?.device).toBe('phone');
      // The chair ends it like a dialled link: the MCU gets our BYE.
      expect(await client.ok('upstream:disconnect', {})).toMatchObject({ state: 'idle' });
      const result = await mcu.done;
      expect(result.exitCode, result.errors || result.messages.slice(-2000)).toBe(0);
      expect(result.messages).not.toMatch(/SIP\/2\.0 407/);
    } finally {
      await mcu.stop();
    }
    await waitFor(
      'the upstream tile gone',
      async () => upstreamPeer(client),
      (p) => p === undefined,
      {
        timeoutMs: 20_000,
      },
    );
    const audit = await auditActions(beacon);
    expect(audit.find((a) => a.action === 'upstream.connected')?.detail).toMatchObject({ incoming: true });
    expect(audit.map((a) => a.action)).toContain('upstream.disconnect');
  }, 150_000);

  it('a link the chair wanted is dialled again after signaling restarts', async () => {
    // The province's conference as SIPp answering every call on the upstream URI.
    const conference = await startSipp({
      scenario: 'uas-answer.xml',
      target: `127.0.0.1:${(city as SipBeacon).sip.port}`,
      localIp: PROVINCE,
      localPort: upstreamPort,
      pauseMs: 0,
      timeoutMs: 240_000,
    });
    try {
      const before = await chair(city as SipBeacon);
      await before.client.ok('upstream:connect', {});
      await waitFor(
        'the dialled link up',
        async () => before.statuses.at(-1),
        (s) => s?.state === 'connected',
        {
          timeoutMs: 30_000,
        },
      );
      expect(before.statuses.at(-1)).toMatchObject({ incoming: false });
      before.client.close();

      await (city as SipBeacon).stop();
      const restartedAt = Date.now();
      city = await start();
      const after = await chair(city);
      const connected = await waitFor(
        'the link redialled after the restart',
        async () => after.client.ok('upstream:status', {}),
        (s) => s.state === 'connected',
        { timeoutMs: 60_000, intervalMs: 500 },
      );
      console.info(`link up again ${((Date.now() - restartedAt) / 1000).toFixed(1)} s after the restart began`);
      expect(connected).toMatchObject({ incoming: false, attempts: 0 });
      await waitFor('the upstream tile after the restart', async () => upstreamPeer(after.client), Boolean, {
        timeoutMs: 20_000,
      });
      const audit = await auditActions(city);
      expect(audit.filter((a) => a.action === 'upstream.connected').length).toBeGreaterThanOrEqual(2);
      // Ended by the chair: not redialled after the next start.
      await after.client.ok('upstream:disconnect', {});
    } finally {
      await conference.stop();
    }
  }, 240_000);
});
