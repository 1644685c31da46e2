/**
 * A township terminal on another host reaches Beacon over HTTPS.
 * Beacon runs with its defaults for TLS (BEACON_TLS=auto: its own CA); the
 * terminal's Chromium runs in a network namespace, so it reaches Beacon by a
 * non-loopback address — a secure origin is the only way its camera opens.
 *  - CA trusted (NSS database, as after the help page's steps): the terminal
 *    opens the plain-HTTP address, is sent on to HTTPS, logs in, joins, and
 *    both sides decode each other's video and audio.
 *  - CA not trusted: the plain-HTTP address shows Beacon's certificate help
 *    page with the CA download and its fingerprint, not a blank screen.
 */
import { X509Certificate } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { describe, expect, it } from 'vitest';
import { liveInboundByPeer, remotePeerIds, type Terminal } from '../src/browser.ts';
import { useE2e } from '../src/e2eFixture.ts';
import {
  canUseNetns,
  createNetnsLink,
  type NetnsLink,
  netnsUnavailableReason,
  reachableThrough,
} from '../src/netns.ts';
import { type BrowserHome, browserHome } from '../src/nssdb.ts';

const ROOM = 'city-weekly';

describe.skipIf(!canUseNetns)(
  `HTTPS for a terminal on another host${canUseNetns ? '' : ` (skipped: ${netnsUnavailableReason})`}`,
  () => {
    let link: NetnsLink;
    let trustedHome: BrowserHome;
    let plainHome: BrowserHome;
    // Every browser here is launched by a test, with the NSS home it needs.
    const e2e = useE2e({
      browser: false,
      async start(resources) {
        link = resources.own(await createNetnsLink(), (l) => l.destroy());
        const beacon = await resources.startBeacon({ tls: true, env: reachableThrough(link) });
        trustedHome = resources.own(await browserHome(beacon.caCert as string), (home) => home.remove());
        plainHome = resources.own(await browserHome(), (home) => home.remove());
        return beacon;
      },
    });

    it('the certificate covers the address the terminal uses', async () => {
      const cert = new X509Certificate(await readFile(`${e2e.beacon.dataDir}/tls/server.crt`, 'utf8'));
      expect(cert.subjectAltName).toContain(`IP Address:${link.hostIp}`);
    });

    it('with the CA trusted, the terminal goes from the plain-HTTP address to HTTPS, joins, and media flows both ways', async () => {
      const chairBrowser = await e2e.launchBrowser({ env: { HOME: trustedHome.home } });
      const terminalBrowser = await e2e.launchBrowser({
        executablePath: link.chromiumWrapper,
        env: { HOME: trustedHome.home },
      });

      // What a township types: the server's address on the plain-HTTP port.
      const probe = e2e.track(await terminalBrowser.newPage(), 'probe');
      await probe.goto(`http://${link.hostIp}:${e2e.beacon.httpPort}/`);
      await probe.waitForURL(`https://${link.hostIp}:${e2e.beacon.port}/**`, { timeout: 15_000 });
      await probe.close();

      const chair: Terminal = await e2e.openTerminal('chair', ROOM, {
        browser: chairBrowser,
        baseUrl: `https://127.0.0.1:${e2e.beacon.port}`,
      });
      const township: Terminal = await e2e.openTerminal('lucheng', ROOM, {
        browser: terminalBrowser,
        baseUrl: `https://${link.hostIp}:${e2e.beacon.port}`,
      });
      expect(township.page.url()).toMatch(new RegExp(`^https://${link.hostIp.replaceAll('.', '\\.')}:`));

      await expect.poll(async () => (await remotePeerIds(township.page)).length, { timeout: 20_000 }).toBe(1);
      await expect.poll(async () => (await remotePeerIds(chair.page)).length, { timeout: 20_000 }).toBe(1);
      const [chairPeer] = await remotePeerIds(township.page);
      const [townshipPeer] = await remotePeerIds(chair.page);
      await expect
        .poll(async () => (await liveInboundByPeer(township.page))[chairPeer as string], {
          timeout: 30_000,
          interval: 0,
        })
        .toEqual({ video: true, audio: true });
      await expect
        .poll(async () => (await liveInboundByPeer(chair.page))[townshipPeer as string], {
          timeout: 30_000,
          interval: 0,
        })
        .toEqual({ video: true, audio: true });
    });

    it('without the CA, the terminal gets the certificate help page with the CA to download, not a blank screen', async () => {
      const browser = await e2e.launchBrowser({ executablePath: link.chromiumWrapper, env: { HOME: plainHome.home } });
      const context = await browser.newContext({ acceptDownloads: true });
      const page = e2e.track(await context.newPage(), 'lucheng');

      // Straight to HTTPS: Chromium refuses the certificate (this is why the help page exists).
      await expect(page.goto(`https://${link.hostIp}:${e2e.beacon.port}/`)).rejects.toThrow(
        /ERR_CERT_AUTHORITY_INVALID/,
      );

      // The first plain-HTTP load right after the refused HTTPS one is sometimes reported as a Chromium error
      // page (the namespace's new connection races the error page's navigation); one retry, logged.
      await page.goto(`http://${link.hostIp}:${e2e.beacon.httpPort}/`).catch(async (err: unknown) => {
        console.warn(`plain-HTTP load retried: ${(err as Error).message.split('\n')[0]}`);
        await page.waitForTimeout(500);
        await page.goto(`http://${link.hostIp}:${e2e.beacon.httpPort}/`);
      });
      await expect
        .poll(() => page.getByTestId('cert-help').getAttribute('data-cert-trusted'), { timeout: 15_000 })
        .toBe('no');
      await expect.poll(() => page.locator('#probe').textContent()).toContain('尚未信任');
      expect(await page.locator('h1').textContent()).toMatch(/^烽火系统：安装根证书/);
      const fingerprint = (await page.getByTestId('ca-fingerprint').textContent())?.trim();
      expect(fingerprint).toBe(new X509Certificate(e2e.beacon.caCert as string).fingerprint256);

      const [download] = await Promise.all([page.waitForEvent('download'), page.getByTestId('ca-download').click()]);
      expect(download.suggestedFilename()).toBe('beacon-ca.crt');
      expect(await readFile(await download.path(), 'utf8')).toBe(e2e.beacon.caCert);
    });
  },
);
