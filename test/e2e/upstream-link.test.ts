/**
 * The link up (上联) between two Beacons on one machine: the city's and, as
 * the province, a second one with its own Kamailio, gateway, ports and data
 * directory that takes the city's Kamailio as a peer (BEACON_SIP_PEERS). The
 * city's chair connects the link from the conference page; the city's
 * gateway dials the province's meeting number through both Kamailios with
 * H.264 + G.722/G.711 and keys the PIN by DTMF; each side sees the other as
 * one participant whose video decodes in Chromium and whose audio is heard;
 * the province hanging up is redialled; disconnect ends the call on both
 * sides.
 */
import { execFile } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import type { PeerInfo } from '@beacon/protocol';
import type { Page } from 'playwright-core';
import { describe, expect, it } from 'vitest';
import { joinRoom, liveInboundByPeer, testIdAttribute } from '../src/browser.ts';
import { expectPageHears } from '../src/browserAudio.ts';
import { useE2e } from '../src/e2eFixture.ts';
import { apiJson, loginApi, SignalingClient } from '../src/signaling.ts';
import { type SipBeacon, startSipBeacon } from '../src/sipBeacon.ts';
import { waitFor } from '../src/waitFor.ts';

const run = promisify(execFile);
const UPSTREAM_LABEL = '上级会场';

describe('link up to the province (上联)', () => {
  let province: SipBeacon;
  let work: string;
  const e2e = useE2e({
    async start(resources) {
      work = resources.own(await mkdtemp(join(tmpdir(), 'beacon-upstream-')), (dir) =>
        rm(dir, { recursive: true, force: true }),
      );
      // Both chairs' microphones: a steady tone (Chromium's own fake mic only beeps), heard across the link.
      await run('sox', [
        ...['-n', '-r', '48000', '-c', '1', '-b', '16', join(work, 'tone.wav')],
        ...['synth', '120', 'sine', '440', 'vol', '0.5'],
      ]);
      // The province: takes calls to its conference numbers from the city's Kamailio (loopback here) as a trunk.
      province = resources.own(
        await startSipBeacon({ env: { BEACON_SIP_PEERS: '127.0.0.1', LOG_LEVEL: 'info' } }),
        (s) => s.stop(),
      );
      const city = resources.own(
        await startSipBeacon({
          env: {
            BEACON_UPSTREAM_URI: `sip:6001@127.0.0.1:${province.sip.port}`,
            BEACON_UPSTREAM_PIN: '2026',
            LOG_LEVEL: 'info',
          },
        }),
        (s) => s.stop(),
      );
      return city.beacon;
    },
    browser: () => ({ args: [`--use-file-for-fake-audio-capture=${join(work, 'tone.wav')}`] }),
  });

  e2e.diagnose('province output (tail)', () =>
    province.beacon
      .output()
      .split('\n')
      .filter((line) => /sip-gateway|Upstream|DialIn|CallLeg|PinCollector|warn|error/i.test(line))
      .slice(-60)
      .join('\n'),
  );

  async function watcher(url: string): Promise<SignalingClient> {
    const { token } = await loginApi(url, 'duty');
    const client = e2e.own(await SignalingClient.connect(url, token), (c) => c.close());
    await client.join('city-weekly');
    return client;
  }

  const findPeer = (client: SignalingClient, match: (p: PeerInfo) => boolean) => [...client.peers.values()].find(match);

  async function decodes(page: Page, peerId: string, what: string): Promise<void> {
    await waitFor(
      what,
      () => liveInboundByPeer(page),
      (live) => Boolean(live[peerId]?.video),
      {
        timeoutMs: 45_000,
        intervalMs: 500,
      },
    );
  }

  it('the chair links the city meeting up; both sides see and hear each other; disconnect ends it on both', async () => {
    const provincePage = await e2e.newPage('province chair');
    await joinRoom(provincePage, province.beacon.url, 'chair', 'city-weekly');
    const cityChair = await e2e.openTerminal('chair', 'city-weekly');
    const cityWatch = await watcher(e2e.url);
    const provinceWatch = await watcher(province.beacon.url);

    await expect
      .poll(() => testIdAttribute(cityChair.page, 'upstream-bar', 'data-state'), { timeout: 15_000 })
      .toBe('idle');
    await cityChair.page.getByTestId('upstream-connect').click();
    await expect
      .poll(() => testIdAttribute(cityChair.page, 'upstream-bar', 'data-state'), { timeout: 60_000, interval: 500 })
      .toBe('connected');

    // The city sees the province as one participant, the upstream, and decodes its picture (the province's main view).
    const upstream = await waitFor(
      'the upstream participant in the city room',
      async () => findPeer(cityWatch, (p) => p.displayName === UPSTREAM_LABEL),
      Boolean,
      { timeoutMs: 30_000 },
    );
    await decodes(cityChair.page, upstream?.peerId ?? '', 'the city chair decoding the upstream video');
    await cityChair.page.getByText(UPSTREAM_LABEL).first().waitFor({ state: 'visible', timeout: 15_000 });
    // The province sees the city as one caller in its meeting and decodes the city's main view.
    const cityInProvince = await waitFor(
      'the city in the province room',
      async () => findPeer(provinceWatch, (p) => p.device === 'phone'),
      Boolean,
      { timeoutMs: 30_000 },
    );
    await decodes(provincePage, cityInProvince?.peerId ?? '', 'the province chair decoding the city video');
    // Audio both ways: each chair's tone crosses the link (mix-minus: the far side's own audio never comes back).
    await expectPageHears(provincePage, 'the city across the link', 30_000);
    await expectPageHears(cityChair.page, 'the province across the link', 30_000);

    // The province hangs the city up (a BYE from upstream): the city redials while its chair wants the link.
    const firstCall = cityInProvince?.peerId ?? '';
    await provincePage.getByTestId(`hangup-${firstCall}`).click();
    await waitFor(
      'the city calling the province again',
      async () => findPeer(provinceWatch, (p) => p.device === 'phone' && p.peerId !== firstCall),
      Boolean,
      { timeoutMs: 45_000, intervalMs: 250 },
    );
    await expect
      .poll(() => testIdAttribute(cityChair.page, 'upstream-bar', 'data-state'), { timeout: 30_000, interval: 500 })
      .toBe('connected');

    await cityChair.page.getByTestId('upstream-disconnect').click();
    await waitFor(
      'the upstream leaving the city room',
      async () => findPeer(cityWatch, (p) => p.displayName === UPSTREAM_LABEL),
      (peer) => peer === undefined,
      { timeoutMs: 20_000 },
    );
    await waitFor(
      'the city leaving the province room',
      async () => findPeer(provinceWatch, (p) => p.device === 'phone'),
      (peer) => peer === undefined,
      { timeoutMs: 20_000 },
    );
    expect(await testIdAttribute(cityChair.page, 'upstream-bar', 'data-state')).toBe('idle');
    const { token } = await loginApi(e2e.url, 'admin');
    const actions = (await apiJson<{ action: string }[]>(e2e.url, token, '/api/v1/audit?limit=50')).map(
      (a) => a.action,
    );
    expect(actions).toEqual(
      expect.arrayContaining(['upstream.connect', 'upstream.connected', 'upstream.dropped', 'upstream.disconnect']),
    );
  }, 180_000);
});
