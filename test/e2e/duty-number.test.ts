/**
 * The duty number (值班电话) through the real chain: a baresip phone
 * dials 8000 → Kamailio → the gateway (no PIN) → the call's duty line; the
 * console of the officer on duty (Chromium, fake microphone playing 1 kHz)
 * shows the call card, answers, and both sides hear each other (measured: the
 * phone's recording carries the browser's tone and not its own, the browser
 * receives the phone's audio). A second call left unanswered for the ring
 * time rings the leader on duty's phone (a baresip registered as its
 * extension), which answers and is heard by the caller; the caller hanging up
 * hangs the leader up. The duty log lists every step.
 */
import { execFile } from 'node:child_process';
import { mkdir, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import type { CreatedTerminal, DutyLogEntry, DutyNowView } from '@beacon/protocol';
import type { Page } from 'playwright-core';
import { beforeAll, describe, expect, it } from 'vitest';
import { type BaresipPhone, baresipUnavailableReason, startBaresip } from '../src/baresip.ts';
import { expectPageHears } from '../src/browserAudio.ts';
import { type E2e, useE2e } from '../src/e2eFixture.ts';
import { apiJson } from '../src/signaling.ts';
import { type SipBeacon, startSipBeacon } from '../src/sipBeacon.ts';
import { waitFor } from '../src/waitFor.ts';
import { readWav, segment, toneRatio } from '../src/wavAnalysis.ts';

const run = promisify(execFile);
const unavailable = baresipUnavailableReason();
if (unavailable) console.warn(`duty number e2e tests skipped: ${unavailable}`);

/** Short for the test; the default is 30 s. */
const RING_SECONDS = 8;
/**
 * The leader's phone number (users.phone is a mobile number), reachable over SIP here as the extension of a
 * softphone the bureau registered for him: Kamailio routes the dial-out to wherever that number is registered.
 */
const LEADER_EXTENSION = '13700000003';
const CALLER = '吕合镇·8003';

let e2e: E2e<SipBeacon['beacon']>;
let sip: SipBeacon;
let work: string;
let tone440: string;
let tone600: string;
let tone1k: string;

/** `HH:MM` on Beijing's clock `hours` from now: shifts placed so none changes during the test. */
function beijingClock(hours: number): string {
  return new Date(Date.now() + hours * 3_600_000 + 8 * 3_600_000).toISOString().slice(11, 16);
}

async function phone(extension: string, sourceWav: string, password: string, autoAnswer = false) {
  const recordDir = join(work, `rec-${extension}`);
  await mkdir(recordDir, { recursive: true });
  return e2e.own(
    await startBaresip({ extension, password, registrar: sip.sip, sourceWav, recordDir, autoAnswer }),
    (p) => p.stop().catch(() => undefined),
  );
}

/**
 * The last 2 s a phone heard in its recording number `index`, once `freqHz` is nearly all of it (or the last
 * 2 s after 30 s). The gateway's "joined" prompt plays first and overlaps the far end's first seconds: a longer
 * window, or a lower bar, would judge that mixture.
 */
async function heardTone(desk: BaresipPhone, index: number, freqHz: number) {
  const lastSeconds = async () => {
    const path = desk.recordedWavs()[index];
    if (!path) return null;
    const wav = await readWav(path);
    const from = Math.max(0, wav.durationSeconds - 2);
    return { rate: wav.sampleRate, tail: segment(wav.samples, wav.sampleRate, from, wav.durationSeconds) };
  };
  const heard = await waitFor(
    `${freqHz} Hz in the last 2 s the phone heard`,
    lastSeconds,
    (h) => h !== null && h.tail.length > 0 && toneRatio(h.tail, h.rate, freqHz) > 0.9,
    { timeoutMs: 30_000, intervalMs: 500 },
  ).catch(lastSeconds);
  if (!heard) throw new Error(`no recording:\n${desk.log().slice(-2000)}`);
  return heard;
}

describe.skipIf(unavailable !== null)('the duty number rings the officers on duty, then the leader', () => {
  let admin: string;
  let leaderPassword: string;
  let officer: Page;
  let caller: BaresipPhone;

  const dutyLog = async () =>
    (await apiJson<DutyLogEntry[]>(sip.beacon.url, admin, '/api/v1/duty/log?limit=50')).map((e) => e.text);
  const waitLog = (what: string, match: RegExp) =>
    waitFor(what, dutyLog, (texts) => texts.some((t) => match.test(t)), { timeoutMs: 20_000, intervalMs: 300 });
  const cardState = () =>
    officer
      .getByTestId('duty-call-card')
      .first()
      .getAttribute('data-state', { timeout: 500 })
      .catch(() => null);

  e2e = useE2e({
    async start(resources) {
      work = resources.own(await mkdtemp(join(tmpdir(), 'beacon-duty-number-')), (dir) =>
        rm(dir, { recursive: true, force: true }),
      );
      tone440 = join(work, 'tone440.wav');
      tone600 = join(work, 'tone600.wav');
      tone1k = join(work, 'tone1k.wav');
      const synth = (file: string, rate: string, seconds: string, freq: string) =>
        run('sox', ['-n', '-r', rate, '-c', '1', '-b', '16', file, 'synth', seconds, 'sine', freq, 'vol', '0.5']);
      await synth(tone440, '8000', '5', '440');
      await synth(tone600, '8000', '5', '600');
      await synth(tone1k, '48000', '10', '1000');
      sip = resources.own(
        await startSipBeacon({
          env: {
            BEACON_DUTY_RING_SECONDS: String(RING_SECONDS),
            BEACON_DUTY_SHIFTS: `day=白班@${beijingClock(-2)}-${beijingClock(4)},night=夜班@${beijingClock(4)}-${beijingClock(-2)}`,
          },
        }),
        (s) => s.stop(),
      );
      return sip.beacon;
    },
    // The officer's microphone plays a 1 kHz tone: what the caller must hear.
    browser: () => ({ args: [`--use-file-for-fake-audio-capture=${tone1k}`] }),
  });

  beforeAll(async () => {
    admin = sip.adminToken;
    const call = <T>(path: string, method = 'GET', body?: unknown) =>
      apiJson<T>(sip.beacon.url, admin, `/api/v1${path}`, {
        method,
        ...(body === undefined ? {} : { body: JSON.stringify(body) }),
      });
    // The leader on duty's phone: a SIP phone of the emergency management bureau with his mobile number.
    const created = await call<CreatedTerminal>('/admin/terminals', 'POST', {
      kind: 'sip_phone',
      name: '带班领导手机',
      departmentId: 'dp-yjj',
      extension: LEADER_EXTENSION,
    });
    leaderPassword = created.sip?.password as string;
    await call('/admin/users/u-chair', 'PATCH', { phone: LEADER_EXTENSION });
    const { now } = await call<DutyNowView>('/duty/now');
    if (!now) throw new Error('the test shifts cover the whole day');
    await call(`/duty/roster/${now.day}/${now.shift}`, 'PUT', { leaderId: 'u-chair', officerIds: ['u-duty'] });

    caller = await phone('8003', tone440, await sip.phonePassword('8003'));
    await caller.waitRegistered(15_000);
    officer = await e2e.openPage('duty', '#/command');
    await officer.getByTestId('duty-now-leader').waitFor({ timeout: 20_000 });
  });

  it('an officer on duty, on the roster page, answers the card and talks with the caller both ways', async () => {
    // Outside the command room the card rings too: the officer is reading the roster.
    await officer.goto(`${e2e.url}/#/duty`);
    await officer.getByTestId('duty-page').waitFor({ timeout: 20_000 });
    await caller.dial(`sip:8000@127.0.0.1:${sip.sip.port}`);
    await caller.waitEstablished(20_000);
    const card = officer.getByTestId('duty-call-card');
    await card.first().waitFor({ timeout: 20_000 });
    expect(await officer.getByTestId('duty-call-caller').first().textContent()).toBe(CALLER);
    await officer.getByTestId('duty-call-answer').first().click();
    await officer.waitForURL(/#\/room\/duty-line-\d+/, { timeout: 20_000 });

    // The browser receives the caller's audio…
    await expectPageHears(officer, 'the caller’s phone');
    // …and the caller hears the officer's 1 kHz tone, not its own 440 Hz.
    const heard = await heardTone(caller, 0, 1000);
    console.info(
      `duty number: the caller heard the officer's 1 kHz at ratio ${toneRatio(heard.tail, heard.rate, 1000).toFixed(2)}, its own 440 Hz at ${toneRatio(heard.tail, heard.rate, 440).toFixed(3)}`,
    );
    expect(toneRatio(heard.tail, heard.rate, 1000)).toBeGreaterThan(0.8);
    expect(toneRatio(heard.tail, heard.rate, 440)).toBeLessThan(0.05);

    await waitLog('the call in the duty log', new RegExp(`^来电：${CALLER}$`));
    await waitLog('who answered in the duty log', new RegExp(`^值班员 接听来电：${CALLER}$`));
    await caller.hangup();
    await waitLog('the end of the call in the duty log', new RegExp(`^通话结束：${CALLER}，通话 \\d+ 秒$`));
  });

  it('unanswered for the ring time, the leader on duty’s phone is called into the line and heard', async () => {
    // Back in the command room, the officer does not answer this time.
    await officer.goto(`${e2e.url}/#/command`);
    await officer.getByTestId('command-room').waitFor({ timeout: 20_000 });
    const leader = await phone(LEADER_EXTENSION, tone600, leaderPassword, true);
    // Its credentials reached Kamailio when the admin created it (beforeAll).
    await leader.waitRegistered(15_000);
    await sip.waitStatus((s) => s.registrations.some((r) => r.extension === LEADER_EXTENSION && r.registered));

    const recordings = caller.recordedWavs().length;
    await caller.dial(`sip:8000@127.0.0.1:${sip.sip.port}`);
    await caller.waitEstablished(20_000);
    // The card rings (on a slow machine it may already show the forward when first seen).
    await waitFor('the call card', cardState, (s) => s === 'ringing' || s === 'forwarded', {
      timeoutMs: 20_000,
      intervalMs: 150,
    });
    await leader.waitEstablished((RING_SECONDS + 30) * 1000);
    const forward = new RegExp(`^${RING_SECONDS} 秒无人接听，转带班领导 市领导（${LEADER_EXTENSION}）：${CALLER}$`);
    await waitLog('the forward in the duty log', forward);
    // On the server's clock: the forward came after the whole ring time, not before.
    const entries = await apiJson<DutyLogEntry[]>(sip.beacon.url, admin, '/api/v1/duty/log?limit=50');
    const rang = entries.find((e) => e.text === `来电：${CALLER}`);
    const forwarded = entries.find((e) => forward.test(e.text));
    const waited = Date.parse(forwarded?.at ?? '') - Date.parse(rang?.at ?? '');
    console.info(`duty number: forwarded to the leader ${(waited / 1000).toFixed(1)} s after the call rang`);
    expect(waited).toBeGreaterThanOrEqual(RING_SECONDS * 1000 - 100);
    await waitLog('the leader answering in the duty log', new RegExp(`^带班领导 市领导 接听来电：${CALLER}$`));
    // Answered by the leader: the card leaves the officer's console.
    await waitFor(
      'the card gone',
      () => officer.getByTestId('duty-call-card').count(),
      (n) => n === 0,
      {
        timeoutMs: 15_000,
        intervalMs: 200,
      },
    );
    // The caller hears the leader's phone (600 Hz), not itself.
    const heard = await heardTone(caller, recordings, 600);
    console.info(
      `duty number: the caller heard the leader's 600 Hz at ratio ${toneRatio(heard.tail, heard.rate, 600).toFixed(2)}`,
    );
    expect(toneRatio(heard.tail, heard.rate, 600)).toBeGreaterThan(0.8);
    expect(toneRatio(heard.tail, heard.rate, 440)).toBeLessThan(0.05);

    // The caller hangs up: nobody is left to talk to, the leader's phone is hung up too.
    await caller.hangup();
    expect(await leader.waitClosed(30_000)).toBeTruthy();
    await waitLog('the end of the leader’s call in the duty log', new RegExp(`^通话结束：${CALLER}，通话 \\d+ 秒$`));
    expect((await dutyLog()).filter((t) => t.startsWith('通话结束：')).length).toBe(2);
  });
});
