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
import type { AckBoardRow, WarningView } from '@beacon/protocol';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type BaresipPhone, baresipUnavailableReason, startBaresip } from '../src/baresip.ts';
import { launchChromium, openTerminal, type Terminal } from '../src/browser.ts';
import { apiJson, loginApi, SignalingClient } from '../src/signaling.ts';
import { type SipBeacon, startSipBeacon } from '../src/sipBeacon.ts';
import { isSippAvailable, type SippHandle, startSipp } from '../src/sipp.ts';

const run = promisify(execFile);
const unavailable = baresipUnavailableReason() ?? (isSippAvailable() ? null : 'sipp (sip-tester) is not installed');
if (unavailable) console.warn(`SIP dial-out e2e tests skipped: ${unavailable}`);

let sip: SipBeacon;
let work: string;
let browser: Browser;
let chair: Terminal;
let watcher: SignalingClient;
let desk: BaresipPhone | undefined;
let busyPhone: SippHandle | undefined;

/** Polls `read` until `check` passes; returns the value or throws with the last one. */
async function poll<T>(read: () => T | Promise<T>, check: (value: T) => boolean, timeoutMs: number): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await read();
    if (check(value)) return value;
    if (Date.now() > deadline) throw new Error(`gave up after ${timeoutMs} ms; last value: ${JSON.stringify(value)}`);
    await new Promise((r) => setTimeout(r, 150));
  }
}
const expectPoll = <T>(read: () => T | Promise<T>, want: T, timeoutMs: number) =>
  poll(read, (value) => value === want, timeoutMs);

const dialState = (page: Page, extension: string) =>
  page
    .getByTestId(`dial-state-${extension}`)
    .getAttribute('data-state', { timeout: 1000 })
    .catch(() => null);

describe.skipIf(unavailable !== null)('the chair calls township phones from the console', () => {
  beforeAll(async () => {
    work = await mkdtemp(join(tmpdir(), 'beacon-dialout-'));
    const tone = join(work, 'tone.wav');
    await run('sox', ['-n', '-r', '8000', '-c', '1', '-b', '16', tone, 'synth', '5', 'sine', '600', 'vol', '0.5']);
    sip = await startSipBeacon({ noAnswerMs: 8000 });
    await mkdir(join(work, 'rec'), { recursive: true });
    desk = await startBaresip({
      extension: '8007',
      password: 'beacon2026',
      registrar: sip.sip,
      sourceWav: tone,
      recordDir: join(work, 'rec'),
      autoAnswer: true,
    });
    await desk.waitRegistered();
    busyPhone = await startSipp({
      scenario: 'uas-busy.xml',
      target: `127.0.0.1:${sip.sip.port}`,
      register: { user: '8010', password: 'beacon2026' },
      timeoutMs: 120_000,
    });
    await sip.waitStatus((s) =>
      ['8007', '8010'].every((ext) => s.registrations.some((r) => r.extension === ext && r.registered)),
    );
    const { token } = await loginApi(sip.beacon.url, 'duty');
    watcher = await SignalingClient.connect(sip.beacon.url, token);
    await watcher.join('city-weekly');
    browser = await launchChromium();
    chair = await openTerminal(browser, sip.beacon.url, 'chair', 'city-weekly');
    await chair.page.getByTestId('phones-tab').click();
    await expectPoll(() => chair.page.getByTestId('dial-panel').getAttribute('data-available'), 'true', 15_000);
  });

  afterAll(async () => {
    await desk?.stop().catch(() => undefined);
    await busyPhone?.stop().catch(() => undefined);
    watcher?.socket.disconnect();
    await browser?.close();
    await sip?.stop();
    if (work) await rm(work, { recursive: true, force: true });
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
    // 8007 is 苍岭镇's phone (24.84 N, 101.60 E); a 3 km circle covers no other township.
    const warning = await apiJson<WarningView>(sip.beacon.url, token, '/api/v1/warnings', {
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
    expect(warning.affectedTownshipIds).toEqual(['cangling']);
    await apiJson(sip.beacon.url, token, `/api/v1/warnings/${warning.id}/issue`, { method: 'POST' });
    await desk?.waitEstablished(20_000);
    await new Promise((r) => setTimeout(r, 1500));
    await desk?.sendDtmf('1');
    const row = await poll(
      async () =>
        (await apiJson<AckBoardRow[]>(sip.beacon.url, token, `/api/v1/warnings/${warning.id}/acks`)).find(
          (r) => r.townshipId === 'cangling',
        ),
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
