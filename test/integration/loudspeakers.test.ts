/**
 * Emergency broadcast loudspeakers (应急广播) end to end: a real Beacon
 * (signaling → SIP gateway → Kamailio), a village of 苍岭镇 with two
 * loudspeakers an admin registered with their SIP credentials. One is a real
 * baresip with auto-answer registered through Kamailio; the other never
 * registers. Issuing a warning over the village makes baresip answer by
 * itself and hear the attention tone and the warning twice (recorded by
 * baresip's sndfile, measured here); the board says played for it and
 * failed (not registered) for the other; every call is audited as the
 * system's. Cancelling the warning plays the all-clear.
 */
import { execFile } from 'node:child_process';
import { mkdir, mkdtemp, rm } from 'node:fs/promises';
import os, { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import type { CreatedTerminal, LoudspeakerCallView, LoudspeakerStatus, WarningView } from '@beacon/protocol';
import { attentionTone, PromptLibrary } from '@beacon/sip-gateway/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type BaresipPhone, baresipUnavailableReason, startBaresip } from '../src/baresip.ts';
import { draftCanglingWarning } from '../src/phoneWarning.ts';
import { apiJson, loginApi } from '../src/signaling.ts';
import { type SipBeacon, startSipBeacon, waitForSubscriber } from '../src/sipBeacon.ts';
import { waitFor } from '../src/waitFor.ts';
import { dbfs, readWav, segment, toneRatio } from '../src/wavAnalysis.ts';

const run = promisify(execFile);
const unavailable = baresipUnavailableReason();
if (unavailable) console.warn(`loudspeaker test skipped: ${unavailable}`);

/** What the loudspeaker says for the 苍岭镇 warning (phoneWarning.ts): the headline and instruction, Mandarin only. */
const SPOKEN = '应急广播。山洪橙色预警。苍岭镇山洪橙色预警。请立即组织转移。';
const REPEAT = 2;
/** The gateway's pause between two repetitions. */
const BETWEEN_SECONDS = 1;

interface AuditLine {
  action: string;
  actorId: string;
  detail: Record<string, unknown>;
}

describe.skipIf(unavailable !== null)('village loudspeakers', () => {
  let sip: SipBeacon;
  let workDir = '';
  let speaker: BaresipPhone | undefined;
  let admin = '';

  beforeAll(async () => {
    workDir = await mkdtemp(join(tmpdir(), 'beacon-loudspeaker-'));
    sip = await startSipBeacon({ env: { BEACON_LOUDSPEAKER_REPEAT: String(REPEAT) } });
    admin = sip.adminToken;
  }, 120_000);

  afterAll(async () => {
    await speaker?.stop();
    await sip?.stop();
    await rm(workDir, { recursive: true, force: true });
  });

  it('plays the warning on a registered loudspeaker by itself, and shows an unregistered one failed', async () => {
    const { url } = sip.beacon;
    const post = <T>(path: string, body: unknown) =>
      apiJson<T>(url, admin, path, { method: 'POST', body: JSON.stringify(body) });
    const village = await post<{ id: string }>('/api/v1/admin/villages', {
      townshipId: 'cangling',
      name: '苍岭村',
      kind: 'village',
      lat: 24.84,
      lon: 101.6,
    });
    const played = await post<CreatedTerminal>('/api/v1/admin/terminals', {
      kind: 'loudspeaker',
      name: '村委会广播',
      villageId: village.id,
      extension: '9101',
    });
    const silent = await post<CreatedTerminal>('/api/v1/admin/terminals', {
      kind: 'loudspeaker',
      name: '学校广播',
      villageId: village.id,
      extension: '9102',
    });
    expect(played).toMatchObject({ townshipId: 'cangling', villageId: village.id, kind: 'loudspeaker' });
    expect(played.sip?.password).toBeTruthy();
    await waitForSubscriber(sip.beacon, '9101', played.sip?.password ?? '');

    const source = join(workDir, 'quiet.wav');
    await run('sox', ['-n', '-r', '8000', '-c', '1', '-b', '16', source, 'synth', '1', 'whitenoise', 'vol', '0.01']);
    const recordDir = join(workDir, 'rec');
    await mkdir(recordDir);
    speaker = await startBaresip({
      extension: '9101',
      password: played.sip?.password ?? '',
      registrar: sip.sip,
      sourceWav: source,
      recordDir,
      autoAnswer: true,
    });
    await speaker.waitRegistered(20_000);
    await waitFor(
      'signaling to know the loudspeaker registered',
      () => apiJson<LoudspeakerStatus[]>(url, admin, '/api/v1/sip/loudspeakers'),
      (list) => list.some((l) => l.extension === '9101' && l.registered),
      { timeoutMs: 30_000, intervalMs: 250 },
    );

    const duty = (await loginApi(url, 'duty')).token;
    const warning: WarningView = await draftCanglingWarning(url, duty);
    await apiJson(url, duty, `/api/v1/warnings/${warning.id}/issue`, { method: 'POST' });

    // Answered by itself; the gateway hangs up once both repetitions went out.
    await speaker.waitEstablished(30_000);
    await speaker.waitClosed(120_000);

    const board = await waitFor(
      'the board to show both loudspeakers finished',
      () => apiJson<LoudspeakerCallView[]>(url, duty, `/api/v1/warnings/${warning.id}/loudspeakers`),
      (calls) => calls.length === 2 && calls.every((c) => c.state === 'played' || c.state === 'failed'),
      { timeoutMs: 30_000, intervalMs: 250 },
    );
    const byExtension = new Map(board.map((c) => [c.extension, c]));
    expect(byExtension.get('9101')).toMatchObject({ state: 'played', failure: null, townshipId: 'cangling' });
    expect(byExtension.get('9101')?.playedAt).toBeTruthy();
    expect(byExtension.get('9102')).toMatchObject({ state: 'failed', failure: 'not_registered' });
    expect(byExtension.get('9102')?.failedAt).toBeTruthy();
    expect(silent.extension).toBe('9102');

    // What the loudspeaker heard: tone + warning, twice. The speech's length is read back from the gateway's
    // cache (the same synthesis the gateway played), the tone's from the gateway's own chime.
    const speech = await new PromptLibrary({ cacheDir: join(os.homedir(), '.cache', 'beacon', 'prompts') }).sayZh(
      SPOKEN,
    );
    const toneSeconds = attentionTone().length / 8000;
    const expected = REPEAT * (toneSeconds + speech.length / 8000) + (REPEAT - 1) * BETWEEN_SECONDS;
    const wav = await readWav(speaker.recordedWavs().at(-1) ?? '');
    // sndfile writes only while RTP arrives: allow the call's set-up and hang-up around the broadcast.
    expect(wav.durationSeconds).toBeGreaterThan(expected - 1);
    expect(wav.durationSeconds).toBeLessThan(expected + 3);
    expect(dbfs(wav.samples)).toBeGreaterThan(-35);
    // The chime's first note leads each reading.
    const firstNote = wav.samples.findIndex((s) => Math.abs(s) > 0.2);
    const start = Math.max(0, firstNote) / wav.sampleRate;
    expect(toneRatio(segment(wav.samples, wav.sampleRate, start, start + 0.4), wav.sampleRate, 784)).toBeGreaterThan(
      0.5,
    );

    const audit = await apiJson<AuditLine[]>(url, admin, '/api/v1/audit?limit=1000');
    const calls = audit.filter((a) => a.action.startsWith('loudspeaker.'));
    expect(calls.filter((a) => a.action === 'loudspeaker.call').map((a) => a.detail.extension)).toEqual(['9101']);
    const results = calls.filter((a) => a.action === 'loudspeaker.result');
    expect(results.map((a) => [a.detail.extension, a.detail.state]).sort()).toEqual([
      ['9101', 'played'],
      ['9102', 'failed'],
    ]);
    expect(calls.every((a) => a.actorId === 'system')).toBe(true);

    // 预警解除: the loudspeaker that was called plays the all-clear (once).
    await apiJson(url, duty, `/api/v1/warnings/${warning.id}/cancel`, { method: 'POST' });
    await speaker.waitEstablished(30_000);
    await speaker.waitClosed(60_000);
    const allClear = await readWav(speaker.recordedWavs().at(-1) ?? '');
    expect(allClear.durationSeconds).toBeGreaterThan(toneSeconds + 1);
    expect(allClear.durationSeconds).toBeLessThan(expected);
  }, 300_000);
});
