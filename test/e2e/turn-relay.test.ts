/**
 * A township terminal behind a firewall that lets through Beacon's web port
 * and the TURN port but not the media server's RTC port: its browser runs in
 * a network namespace with `ip rule … prohibit` for that port (UDP and TCP).
 * With BEACON_TURN=on it still joins the chair's meeting and decodes the
 * chair's video — through coturn: the selected ICE candidate pair's local
 * candidate is a relay candidate, and the remote one is the media server's
 * RTC port it cannot reach directly.
 *
 * A stricter firewall lets only TCP to Beacon's HTTPS port and the TURN-over-
 * TLS port through (no UDP at all, no plain TURN): with Beacon's CA trusted in
 * the terminal's NSS database the browser relays over `turns:`.
 */
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import type { Browser, Page } from 'playwright-core';
import { beforeAll, describe, expect, it } from 'vitest';
import {
  launchChromiumInNamespace,
  liveInboundByPeer,
  remotePeerIds,
  selectedPair,
  type Terminal,
} from '../src/browser.ts';
import { useE2e } from '../src/e2eFixture.ts';
import {
  canUseNetns,
  createNetnsLink,
  type NetnsLink,
  netnsUnavailableReason,
  reachableThrough,
} from '../src/netns.ts';
import { type BrowserHome, browserHome } from '../src/nssdb.ts';
import { freePortBlock, freeTcpPort } from '../src/ports.ts';

const run = promisify(execFile);
const ROOM = 'city-weekly';

/**
 * Beacon reachable from the namespace, one media worker whose WebRtcServer
 * listens on exactly `rtcPort` (UDP and TCP), coturn on `turnPort` with ten
 * relay ports of its own.
 */
async function turnEnv(link: NetnsLink, rtcPort: number, turnPort: number): Promise<Record<string, string>> {
  const relayMin = await freePortBlock(10);
  return {
    ...reachableThrough(link),
    MEDIA_RTC_PORT_BASE: String(rtcPort),
    BEACON_TURN: 'on',
    BEACON_TURN_PORT: String(turnPort),
    BEACON_TURN_RELAY_PORTS: `${relayMin}-${relayMin + 9}`,
  };
}

/** Waits until `page` sees its one remote peer (the chair) and decodes its video and hears its audio. */
async function awaitChairMedia(page: Page): Promise<void> {
  await expect.poll(async () => (await remotePeerIds(page)).length, { timeout: 15_000 }).toBe(1);
  const [chairPeerId] = (await remotePeerIds(page)) as [string];
  await expect
    .poll(async () => (await liveInboundByPeer(page, 500))[chairPeerId], { timeout: 45_000, interval: 0 })
    .toEqual({ video: true, audio: true });
}

/** What the namespace's routing decides for a packet to hostIp:port (the firewall rules under test). */
async function routeAllowed(link: NetnsLink, protocol: 'udp' | 'tcp', port: number): Promise<boolean> {
  const args = [
    'netns',
    'exec',
    link.name,
    'ip',
    'route',
    'get',
    link.hostIp,
    'ipproto',
    protocol,
    'dport',
    String(port),
  ];
  return run('ip', args).then(
    () => true,
    () => false,
  );
}

describe.skipIf(!canUseNetns)(`TURN relay${canUseNetns ? '' : ` (skipped: ${netnsUnavailableReason})`}`, () => {
  let nsBrowser: Browser;
  let link: NetnsLink;
  let chair: Terminal;
  let rtcPort: number;
  let turnPort: number;
  const e2e = useE2e({
    async start(resources) {
      link = resources.own(await createNetnsLink(), (l) => l.destroy());
      rtcPort = await freePortBlock();
      turnPort = await freeTcpPort();
      const beacon = await resources.startBeacon({
        env: { BEACON_TLS: 'off', ...(await turnEnv(link, rtcPort, turnPort)) },
      });
      // The township's firewall: the media server's RTC port is unreachable, everything else (HTTP, TURN) is not.
      for (const protocol of ['udp', 'tcp']) {
        await run(
          'ip',
          ['netns', 'exec', link.name, 'ip', 'rule', 'add', 'to', link.hostIp, 'ipproto', protocol].concat([
            'dport',
            String(rtcPort),
            'prohibit',
          ]),
        );
      }
      return beacon;
    },
  });

  beforeAll(async () => {
    const origin = `http://${link.hostIp}:${e2e.beacon.port}`;
    nsBrowser = await e2e.launchBrowser(() => launchChromiumInNamespace(link, origin));
    chair = await e2e.openTerminal('chair', ROOM);
  });

  it('the township cannot reach the media server’s RTC port, but can reach the TURN port', async () => {
    expect(await routeAllowed(link, 'udp', rtcPort)).toBe(false);
    expect(await routeAllowed(link, 'tcp', rtcPort)).toBe(false);
    expect(await routeAllowed(link, 'udp', turnPort)).toBe(true);
    expect(await routeAllowed(link, 'tcp', turnPort)).toBe(true);
  });

  it('joins through the relay and decodes the chair’s video and audio', async () => {
    const origin = `http://${link.hostIp}:${e2e.beacon.port}`;
    const startedAt = performance.now();
    const township = await e2e.openTerminal('lucheng', ROOM, { browser: nsBrowser, baseUrl: origin });
    const joinedMs = performance.now() - startedAt;
    const page = township.page;

    await awaitChairMedia(page);
    const mediaMs = performance.now() - startedAt;

    const recv = await selectedPair(page, 'recv');
    expect(recv).toMatchObject({ localType: 'relay', remoteAddress: link.hostIp, remotePort: rtcPort });
    // The township's own camera goes up the same way.
    await expect.poll(() => selectedPair(page, 'send'), { timeout: 20_000 }).toMatchObject({ localType: 'relay' });
    console.info(
      `turn relay: township joined in ${joinedMs.toFixed(0)} ms, chair's media decoding after ${mediaMs.toFixed(0)} ms; ` +
        `recv pair ${JSON.stringify(recv)}`,
    );

    // And the chair sees the township (its uplink through the relay).
    const [townshipPeerId] = (await remotePeerIds(chair.page)) as [string];
    await expect
      .poll(async () => (await liveInboundByPeer(chair.page, 500))[townshipPeerId]?.video, {
        timeout: 30_000,
        interval: 0,
      })
      .toBe(true);
  });
});

describe.skipIf(!canUseNetns)(`TURN over TLS${canUseNetns ? '' : ` (skipped: ${netnsUnavailableReason})`}`, () => {
  let link: NetnsLink;
  let home: BrowserHome;
  let rtcPort: number;
  let turnPort: number;
  let tlsPort: number;
  // The browsers are launched by the test, with Beacon's CA in their NSS home.
  const e2e = useE2e({
    browser: false,
    async start(resources) {
      link = resources.own(await createNetnsLink(), (l) => l.destroy());
      rtcPort = await freePortBlock();
      turnPort = await freeTcpPort();
      tlsPort = await freeTcpPort();
      const beacon = await resources.startBeacon({
        tls: true,
        env: { ...(await turnEnv(link, rtcPort, turnPort)), BEACON_TURN_TLS_PORT: String(tlsPort) },
      });
      // Only TCP to the HTTPS port and to TURN over TLS: no UDP at all, no plain TURN, no media port.
      const netnsIp = (...args: string[]) => run('ip', ['netns', 'exec', link.name, 'ip', ...args]);
      for (const port of [rtcPort, turnPort]) {
        await netnsIp('rule', 'add', 'to', link.hostIp, 'ipproto', 'tcp', 'dport', String(port), 'prohibit');
      }
      await netnsIp('rule', 'add', 'to', link.hostIp, 'ipproto', 'udp', 'prohibit');
      home = resources.own(await browserHome(beacon.caCert as string), (h) => h.remove());
      return beacon;
    },
  });

  it('the township reaches only HTTPS and TURN over TLS', async () => {
    expect(await routeAllowed(link, 'tcp', e2e.beacon.port)).toBe(true);
    expect(await routeAllowed(link, 'tcp', tlsPort)).toBe(true);
    for (const port of [rtcPort, turnPort]) {
      expect(await routeAllowed(link, 'udp', port)).toBe(false);
      expect(await routeAllowed(link, 'tcp', port)).toBe(false);
    }
  });

  it('joins over HTTPS, relays over turns: and decodes the chair', async () => {
    const chairBrowser = await e2e.launchBrowser({ env: { HOME: home.home } });
    const terminalBrowser = await e2e.launchBrowser({ executablePath: link.chromiumWrapper, env: { HOME: home.home } });
    await e2e.openTerminal('chair', ROOM, { browser: chairBrowser, baseUrl: `https://127.0.0.1:${e2e.beacon.port}` });
    const startedAt = performance.now();
    const township = await e2e.openTerminal('lucheng', ROOM, {
      browser: terminalBrowser,
      baseUrl: `https://${link.hostIp}:${e2e.beacon.port}`,
    });
    const page = township.page;
    await awaitChairMedia(page);
    const mediaMs = performance.now() - startedAt;
    const recv = await selectedPair(page, 'recv');
    expect(recv).toMatchObject({ localType: 'relay', relayProtocol: 'tls', remoteAddress: link.hostIp });
    console.info(
      `turns relay: chair's media decoding ${mediaMs.toFixed(0)} ms after opening; recv pair ${JSON.stringify(recv)}`,
    );
  });
});
