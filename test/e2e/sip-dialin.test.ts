/**
 * Desk phones dial into meetings through the real chain: SIPp / baresip →
 * Kamailio (digest auth) → sip.js in the gateway → signaling → mediasoup,
 * and a real Chromium terminal in the same room.
 */
import { execFile } from 'node:child_process';
import { mkdir, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import type { PeerInfo } from '@beacon/protocol';
import { beforeAll, describe, expect, it } from 'vitest';
import { type BaresipPhone, baresipUnavailableReason, startBaresip } from '../src/baresip.ts';
import type { Terminal } from '../src/browser.ts';
import { expectPageHears } from '../src/browserAudio.ts';
import { type E2e, useE2e } from '../src/e2eFixture.ts';
import { waitForPromptEnd } from '../src/heardPrompt.ts';
import type { SignalingClient } from '../src/signaling.ts';
import { type SipBeacon, startSipBeacon } from '../src/sipBeacon.ts';
import { isSippAvailable, runSipp } from '../src/sipp.ts';
import { waitFor as waitUntil } from '../src/waitFor.ts';
import { readWav, segment, toneRatio } from '../src/wavAnalysis.ts';

const run = promisify(execFile);
const unavailable = baresipUnavailableReason() ?? (isSippAvailable() ? null : 'sipp (sip-tester) is not installed');
if (unavailable) console.warn(`SIP e2e tests skipped: ${unavailable}`);

const RTP_TIMEOUT_MS = 5000;
let e2e: E2e<SipBeacon['beacon']>;
let sip: SipBeacon;
let work: string;
let watcher: SignalingClient;

/** The phone participant of an extension in the watched room, if any. */
function phonePeer(extension: string): PeerInfo | undefined {
  return [...watcher.peers.values()].find((p) => p.device === 'phone' && p.phone?.extension === extension);
}

async function waitFor<T>(what: string, probe: () => T | undefined | false, timeoutMs = 20_000): Promise<T> {
  return (await waitUntil(what, probe, Boolean, { timeoutMs, intervalMs: 100 })) as T;
}

async function phone(extension: string, sourceWav: string, password?: string): Promise<BaresipPhone> {
  password ??= await sip.phonePassword(extension);
  const recordDir = join(work, `rec-${extension}-${Date.now()}`);
  await mkdir(recordDir, { recursive: true });
  return e2e.own(await startBaresip({ extension, password, registrar: sip.sip, sourceWav, recordDir }), (p) =>
    p.stop().catch(() => undefined),
  );
}

describe.skipIf(unavailable !== null)('desk phones dial in', () => {
  let tone440: string;
  let tone1k: string;
  let chair: Terminal;
  e2e = useE2e({
    async start(resources) {
      work = resources.own(await mkdtemp(join(tmpdir(), 'beacon-sip-e2e-')), (dir) =>
        rm(dir, { recursive: true, force: true }),
      );
      tone440 = join(work, 'tone440.wav');
      tone1k = join(work, 'tone1k.wav');
      await run('sox', ['-n', '-r', '8000', '-c', '1', '-b', '16', tone440, 'synth', '5', 'sine', '440', 'vol', '0.5']);
      await run('sox', [
        '-n',
        '-r',
        '48000',
        '-c',
        '1',
        '-b',
        '16',
        tone1k,
        'synth',
        '10',
        'sine',
        '1000',
        'vol',
        '0.5',
      ]);
      sip = resources.own(await startSipBeacon({ rtpTimeoutMs: RTP_TIMEOUT_MS }), (s) => s.stop());
      return sip.beacon;
    },
    // The browser's microphone plays a 1 kHz tone: what phones must hear.
    browser: () => ({ args: [`--use-file-for-fake-audio-capture=${tone1k}`] }),
  });

  beforeAll(async () => {
    watcher = await e2e.client('duty');
    await watcher.join('city-weekly');
    chair = await e2e.openTerminal('chair', 'city-weekly');
  });

  it('answers malformed SIP with 400 and garbage SDP with 488, and keeps serving', async () => {
    const malformed = await runSipp({
      scenario: 'malformed.xml',
      target: `127.0.0.1:${sip.sip.port}`,
      timeoutMs: 15_000,
    });
    expect(malformed.exitCode, malformed.errors || malformed.stdout.slice(-1500)).toBe(0);
    const badSdp = await runSipp({
      scenario: 'uac-bad-sdp.xml',
      target: `127.0.0.1:${sip.sip.port}`,
      service: '6001',
      authUser: '8002',
      password: await sip.phonePassword('8002'),
      keys: { from: '8002' },
      timeoutMs: 15_000,
    });
    expect(badSdp.exitCode, badSdp.errors || badSdp.stdout.slice(-1500)).toBe(0);
    expect(badSdp.messages).toContain('SIP/2.0 488');
    expect((await sip.status()).available).toBe(true);
  });

  it('lets SIPp in with the right PIN (RFC 4733 keys) and hangs up after three wrong PINs', async () => {
    const right = runSipp({
      scenario: 'uac-pin-right.xml',
      target: `127.0.0.1:${sip.sip.port}`,
      service: '6001',
      authUser: '8003',
      password: await sip.phonePassword('8003'),
      keys: { from: '8003' },
      pauseMs: 4000,
      timeoutMs: 60_000,
    });
    const peer = await waitFor('the SIPp phone in city-weekly', () => phonePeer('8003'), 40_000);
    expect(peer.displayName).toBe('吕合镇·8003');
    const result = await right;
    expect(result.exitCode, result.errors || result.stdout.slice(-1500)).toBe(0);
    await waitFor('the SIPp phone to leave after its BYE', () => !phonePeer('8003') && true);

    const joinsBefore = watcher.events.filter((e) => e.event === 'peer:joined').length;
    const wrong = await runSipp({
      scenario: 'uac-pin-wrong.xml',
      target: `127.0.0.1:${sip.sip.port}`,
      service: '6001',
      authUser: '8003',
      password: await sip.phonePassword('8003'),
      keys: { from: '8003' },
      timeoutMs: 70_000,
    });
    // The scenario only passes when the gateway sent the BYE.
    expect(wrong.exitCode, wrong.errors || wrong.stdout.slice(-1500)).toBe(0);
    expect(wrong.messages).toMatch(/^BYE sip:/m);
    expect(watcher.events.filter((e) => e.event === 'peer:joined').length).toBe(joinsBefore);
  });

  it('refuses a phone with a wrong digest password and registers it with the right one', async () => {
    await expect((await phone('8004', tone440, '999999')).waitRegistered(10_000)).rejects.toThrow(/401|register/i);
    const registered = await phone('8004', tone440);
    await registered.waitRegistered(10_000);
    await sip.waitStatus((s) => s.registrations.some((r) => r.extension === '8004' && r.registered));
  });

  it('bridges audio both ways: the phone hears the browser, the browser hears the phone; keypad, hold, BYE', async () => {
    const desk = await phone('8005', tone440);
    await desk.waitRegistered();
    await desk.dial(`sip:6001@127.0.0.1:${sip.sip.port}`);
    await desk.waitEstablished(15_000);
    // Like a caller: listen to the PIN prompt to its end, then type.
    await waitForPromptEnd(desk);
    await desk.sendDtmf('2026#');
    const peer = await waitFor('baresip in city-weekly', () => phonePeer('8005'), 30_000);
    expect(peer.phone?.callState).toBe('connected');

    // The browser receives the phone's audio: packets flow and carry sound.
    await expectPageHears(chair.page, 'the phone', 20_000);

    // The phone hears the browser's 1 kHz tone in its mix — and not its own 440 Hz.
    // (The 'joined' prompt plays first: judge the last 3 s once the mix has followed it.)
    const [wavPath] = desk.recordedWavs();
    expect(wavPath, desk.log().slice(-2000)).toBeTruthy();
    const lastSeconds = async () => {
      const wav = await readWav(wavPath as string);
      const from = Math.max(0, wav.durationSeconds - 3);
      return { rate: wav.sampleRate, tail: segment(wav.samples, wav.sampleRate, from, wav.durationSeconds) };
    };
    const { rate, tail } = await waitUntil(
      'the browser’s tone in the last 3 s the phone heard',
      lastSeconds,
      (heard) => toneRatio(heard.tail, heard.rate, 1000) > 0.5,
      { timeoutMs: 30_000, intervalMs: 500 },
    ).catch(lastSeconds);
    expect(toneRatio(tail, rate, 1000)).toBeGreaterThan(0.5);
    expect(toneRatio(tail, rate, 440)).toBeLessThan(0.05);

    // *6 mutes the phone in the room, *6 again opens it.
    await desk.sendDtmf('*6');
    await waitFor('phone muted by *6', () => phonePeer('8005')?.audioMuted === true);
    await desk.sendDtmf('*6');
    await waitFor('phone unmuted by *6', () => phonePeer('8005')?.audioMuted === false);

    // Hold and resume show in the room.
    await desk.hold();
    await waitFor('phone held', () => phonePeer('8005')?.phone?.callState === 'held');
    await desk.resume();
    await waitFor('phone resumed', () => phonePeer('8005')?.phone?.callState === 'connected');

    await desk.hangup();
    await waitFor('phone gone after BYE', () => !phonePeer('8005') && true);
    await sip.waitStatus((s) => !s.registrations.some((r) => r.extension === '8005' && r.inCall));
  });

  it('ends the leg by RTP timeout when the phone dies without a BYE', async () => {
    const desk = await phone('8006', tone440);
    await desk.waitRegistered();
    await desk.dial(`sip:6001@127.0.0.1:${sip.sip.port}`);
    await desk.waitEstablished(15_000);
    await waitForPromptEnd(desk);
    await desk.sendDtmf('2026#');
    await waitFor('baresip 8006 in city-weekly', () => phonePeer('8006'), 30_000);
    desk.kill('SIGKILL');
    await waitFor('leg ended by RTP timeout', () => !phonePeer('8006') && true, RTP_TIMEOUT_MS + 15_000);
    expect(sip.beacon.output()).not.toMatch(/"level":(50|60).*sip-gateway/);
  });
});
