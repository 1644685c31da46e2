/**
 * Without Kamailio the rest of Beacon runs and the console says why phones are
 * unavailable (the gateway starts, finds no Kamailio, reports it).
 */
import type { SipStatus } from '@beacon/protocol';
import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type BeaconProcess, startBeaconProcess } from '../src/beaconProcess.ts';
import { launchChromium, openTerminal } from '../src/browser.ts';
import { apiJson, loginApi } from '../src/signaling.ts';

let beacon: BeaconProcess;
let browser: Browser;

describe('phones when Kamailio is not installed', () => {
  beforeAll(async () => {
    beacon = await startBeaconProcess({
      env: { BEACON_SIP: 'on', BEACON_KAMAILIO_BIN: '/nonexistent/kamailio', BEACON_SIP_WS_PORT: '1' },
    });
    browser = await launchChromium();
  });
  afterAll(async () => {
    await browser?.close();
    await beacon?.stop();
  });

  it('reports kamailio_not_installed over REST and in the console, and conferences still work', async () => {
    const { token } = await loginApi(beacon.url, 'chair');
    const deadline = Date.now() + 30_000;
    let status: SipStatus | null = null;
    while (Date.now() < deadline) {
      status = await apiJson<SipStatus>(beacon.url, token, '/api/v1/sip/status');
      if (status.reason === 'kamailio_not_installed') break;
      await new Promise((r) => setTimeout(r, 250));
    }
    expect(status).toMatchObject({ available: false, reason: 'kamailio_not_installed' });

    const chair = await openTerminal(browser, beacon.url, 'chair', 'city-weekly');
    await chair.page.getByTestId('phones-tab').click();
    const banner = chair.page.getByTestId('sip-unavailable');
    await banner.waitFor({ timeout: 10_000 });
    expect(await banner.getAttribute('data-reason')).toBe('kamailio_not_installed');
    expect(await chair.page.getByTestId('dial-button-8001').isDisabled()).toBe(true);
  });
});
