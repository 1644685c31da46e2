/**
 * Without Kamailio the rest of Beacon runs and the console says why phones are
 * unavailable (the gateway starts, finds no Kamailio, reports it).
 */
import type { SipStatus } from '@beacon/protocol';
import { describe, expect, it } from 'vitest';
import { useE2e } from '../src/e2eFixture.ts';
import { apiJson } from '../src/signaling.ts';
import { waitFor } from '../src/waitFor.ts';

describe('phones when Kamailio is not installed', () => {
  const e2e = useE2e({
    beacon: { env: { BEACON_SIP: 'on', BEACON_KAMAILIO_BIN: '/nonexistent/kamailio', BEACON_SIP_WS_PORT: '1' } },
  });

  it('reports kamailio_not_installed over REST and in the console, and conferences still work', async () => {
    const token = await e2e.token('chair');
    const status = await waitFor(
      'the gateway to report why phones are unavailable',
      () => apiJson<SipStatus>(e2e.url, token, '/api/v1/sip/status'),
      (s) => s.reason === 'kamailio_not_installed',
      { timeoutMs: 30_000, intervalMs: 250 },
    );
    expect(status).toMatchObject({ available: false, reason: 'kamailio_not_installed' });

    const chair = await e2e.openTerminal('chair', 'city-weekly');
    await chair.page.getByTestId('phones-tab').click();
    const banner = chair.page.getByTestId('sip-unavailable');
    await banner.waitFor({ timeout: 10_000 });
    expect(await banner.getAttribute('data-reason')).toBe('kamailio_not_installed');
    expect(await chair.page.getByTestId('dial-button-8001').isDisabled()).toBe(true);
  });
});
