/**
 * The chair calls township phones from the console: a real Chromium clicks
 * "call", the gateway rings the phone through Kamailio, and the console shows
 * each step live (answered / busy / failed). The chair hangs up from the
 * participant list.
 */
import { execFile } from 'node:child_process';
import { mkdir, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import type { Page } from 'playwright-core';
import { beforeAll, describe, expect, it } from 'vitest';
import { type BaresipPhone, baresipUnavailableReason, startBaresip } from '../src/baresip.ts';
import type { Terminal } from '../src/browser.ts';
import { useE2e } from '../src/e2eFixture.ts';
import { waitForPromptEnd } from '../src/heardPrompt.ts';
import { canglingAckRow, draftCanglingWarning } from '../src/phoneWarning.ts';
import { apiJson, loginApi, type SignalingClient } from '../src/signaling.ts';
import { type SipBeacon, startSipBeacon } from '../src/sipBeacon.ts';
import { isSippAvailable, startSipp } from '../src/sipp.ts';
import { waitFor } from '../src/waitFor.ts';

const run = promisify(execFile);
const unavailable = baresipUnavailableReason() ?? (isSippAvailable() ? null : 'sipp (sip-tester) is not installed');
if (unavailable) console.warn(`SIP dial-out e2e tests skipped: ${unavailable}`);

let sip: SipBeacon;
let work: string;
let chair: Terminal;
let watcher: SignalingClient;
let desk: BaresipPhone | undefined;

/** Polls `read` until `check` passes; returns the value or throws with the last one. */
const poll = <T>(read: () => T | Promise<T>, check: (value: T) => boolean, timeoutMs: number): Promise<T> =>
  waitFor('the value', read, check, { timeoutMs, intervalMs: 150 });
const expectPoll = <T>(read: () => T | Promise<T>, want: T, timeoutMs: number) =>
  poll(read, (value) => value === want, timeoutMs);

const dialState = (page: Page, extension: string) =>
  page
    .getByTestId(`dial-state-${extension}`)
    .getAttribute('data-state', { timeout: 1000 })
    .catch(() => null);

describe.skipIf(unavailable !== null)('the chair calls township phones from the console', () => {
  const e2e = useE2e({
    async start(resources) {
      work = resources.own(await mkdtemp(join(tmpdir(), 'beacon-dialout-')), (dir) =>
        rm(dir, { recursive: true, force: true }),
      );
      const tone = join(work, 'tone.wav');
      await run('sox', ['-n', '-r', '8000', '-c', '1', '-b', '16', tone, 'synth', '5', 'sine', '600', 'vol', '0.5']);
      sip = resources.own(await startSipBeacon({ noAnswerMs: 8000 }), (s) => s.stop());
      await mkdir(join(work, 'rec'), { recursive: true });
      desk = resources.own(
        await startBaresip({
          extension: '8007',
          password: await sip.phonePassword('8007'),
          registrar: sip.sip,
          sourceWav: tone,
          recordDir: join(work, 'rec'),
          autoAnswer: true,
        }),
        (phone) => phone.stop().catch(() => undefined),
      );
      await desk.waitRegistered();
      resources.own(
        await startSipp({
          scenario: 'uas-busy.xml',
          target: `127.0.0.1:${sip.sip.port}`,
          register: { user: '8010', password: await sip.phonePassword('8010') },
          timeoutMs: 120_000,
        }),
        (busyPhone) => busyPhone.stop().catch(() => undefined),
      );
      await sip.waitStatus((s) =>
        ['8007', '8010'].every((ext) => s.registrations.some((r) => r.extension === ext && r.registered)),
      );
      return sip.beacon;
    },
  });

  beforeAll(async () => {
    watcher = await e2e.client('duty');
    await watcher.join('city-weekly');
    chair = await e2e.openTerminal('chair', 'city-weekly');
    await chair.page.getByTestId('phones-tab').click();
    await expectPoll(() => chair.page.getByTestId('dial-panel').getAttribute('data-available'), 'true', 15_000);
  });

  it('shows each phone registered, dials one in, and hangs it up', async () => {
    const page = chair.page;
    await expectPoll(
      () =>
        page
          .getByTestId('reg-state-8007')
          .getAttribute('data-status', { timeout: 1000 })
          .catch(() => null),
      'registered',
      15_000,
    );
    expect(await page.getByTestId('room-dial-info').textContent()).toContain('6001');

    await page.getByTestId('dial-button-8007').click();
    await expectPoll(() => dialState(page, '8007'), 'answered', 20_000);
    await desk?.waitEstablished(10_000);
    const phonePeer = await poll(
      () =>
        [...watcher.peers.values()].find((p) => p.device === 'phone' && p.phone?.extension === '8007')?.peerId ?? null,
      (id) => id !== null,
      15_000,
    );
    await page.getByTestId(`phone-tile-${phonePeer}`).first().waitFor({ timeout: 10_000 });

    // Hang up from the participant list.
    const participants = page.getByTestId('participants-tab');
    if ((await participants.count()) > 0) await participants.click();
    await page.getByTestId(`hangup-${phonePeer}`).click();
    // The phone first hears why (the "removed" prompt), then the BYE.
    expect(await desk?.waitClosed(25_000)).toBeTruthy();
    await expectPoll(() => watcher.peers.has(phonePeer as string), false, 10_000);
  });

  it('shows busy for a phone that answers 486 and failed for an unregistered extension', async () => {
    const page = chair.page;
    if ((await page.getByTestId('dial-panel').count()) === 0) await page.getByTestId('phones-tab').click();
    await page.getByTestId('dial-button-8010').click();
    await expectPoll(() => dialState(page, '8010'), 'busy', 20_000);

    await page.getByTestId('dial-number-input').fill('8009');
    await page.getByTestId('dial-number-submit').click();
    await expectPoll(() => dialState(page, '8009'), 'failed', 20_000);
    expect([...watcher.peers.values()].some((p) => p.device === 'phone')).toBe(false);
  });

  it('calls the phone of a warned township, reads the warning, and pressing 1 acknowledges it (channel phone)', async () => {
    const { token } = await loginApi(sip.beacon.url, 'duty');
    const warning = await draftCanglingWarning(sip.beacon.url, token);
    const recordings = desk?.recordedWavs().length ?? 0;
    await apiJson(sip.beacon.url, token, `/api/v1/warnings/${warning.id}/issue`, { method: 'POST' });
    await desk?.waitEstablished(20_000);
    // Like a township's duty officer: listen to the warning being read to its end, then press 1.
    await waitForPromptEnd(desk as BaresipPhone, { recording: recordings });
    await desk?.sendDtmf('1');
    const row = await poll(
      () => canglingAckRow(sip.beacon.url, token, warning.id),
      (r) => r?.ackedAt != null,
      20_000,
    );
    expect(row).toMatchObject({ channel: 'phone', ackedByName: '苍岭镇·8007' });
    // The phone hears "已签收" and is hung up.
    expect(await desk?.waitClosed(20_000)).toBeTruthy();
  });

  it('calls a township from the map: its phone is dialled into a new emergency room the caller chairs', async () => {
    const { token } = await loginApi(sip.beacon.url, 'duty');
    const { roomId } = await apiJson<{ roomId: string }>(sip.beacon.url, token, '/api/v1/townships/cangling/meeting', {
      method: 'POST',
    });
    expect(roomId).toMatch(/^emergency-/);
    await desk?.waitEstablished(20_000);
    const room = await poll(
      async () =>
        (
          await apiJson<{ id: string; kind: string; participants: number }[]>(sip.beacon.url, token, '/api/v1/rooms')
        ).find((r) => r.id === roomId),
      (r) => (r?.participants ?? 0) >= 1,
      20_000,
    );
    expect(room?.kind).toBe('emergency');
    await desk?.hangup();
    await poll(
      async () =>
        (await apiJson<{ id: string; participants: number }[]>(sip.beacon.url, token, '/api/v1/rooms')).find(
          (r) => r.id === roomId,
        )?.participants ?? 0,
      (n) => n === 0,
      15_000,
    );
  });
});
