/**
 * Sensor in, every channel out, in one run of a real Beacon (signaling → SIP gateway → Kamailio, mosquitto,
 * Kannel): a rain gauge in 苍岭镇 publishes over MQTT over TLS (trusting Beacon's CA) a reading past its
 * yellow 1-hour threshold → the system drafts a warning (never issues it) → the duty officer, signed in over
 * the REST API, issues it → 苍岭镇's terminal gets the banner on its socket, the village head's mobile gets the
 * text through Kannel and the fake SMSC, and the village loudspeaker (a baresip with auto-answer registered
 * through Kamailio) answers by itself and hears the chime and the warning (recorded, measured) → the village
 * head replies 收到 and that is the village's acknowledgement.
 */
import { execFile } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { mkdir, mkdtemp, rm } from 'node:fs/promises';
import os, { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { findExecutable } from '@beacon/common';
import type {
  AlertForTerminal,
  CreatedTerminal,
  LoudspeakerCallView,
  LoudspeakerStatus,
  SmsRecipientView,
  StationWithToken,
  WarningView,
} from '@beacon/protocol';
import { attentionTone, PromptLibrary } from '@beacon/sip-gateway/testing';
import { connectAsync, type MqttClient } from 'mqtt';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { warningBroadcastText } from '../../signaling/src/loudspeakers/loudspeakerText.ts';
import { type BaresipPhone, baresipUnavailableReason, startBaresip } from '../src/baresip.ts';
import { FakeSmsc, fakesmscAvailable } from '../src/fakesmsc.ts';
import { freePortBlock } from '../src/ports.ts';
import { apiJson, loginApi, SignalingClient } from '../src/signaling.ts';
import { type SipBeacon, startSipBeacon, waitForSubscriber } from '../src/sipBeacon.ts';
import { waitFor } from '../src/waitFor.ts';
import { dbfs, readWav, segment, toneRatio } from '../src/wavAnalysis.ts';

const run = promisify(execFile);
const missing = [
  baresipUnavailableReason(),
  findExecutable('mosquitto') || findExecutable('/usr/sbin/mosquitto') ? null : 'mosquitto',
  findExecutable('bearerbox') && findExecutable('smsbox') ? null : 'kannel',
  fakesmscAvailable() ? null : 'kannel-extras (fakesmsc)',
].filter((reason): reason is string => reason !== null);
if (missing.length > 0) console.warn(`station → every channel test skipped: ${missing.join(', ')}`);

const SENDER = '12379';
const VILLAGE_MOBILE = '13800000017';
/** 苍岭镇's seat: a 3 km circle around it reaches no other township. */
const GAUGE = {
  id: 'RG-cangling-1',
  name: '苍岭村雨量站',
  kind: 'rain',
  lat: 24.84,
  lon: 101.6,
  townshipId: 'cangling',
  ownerTownshipId: 'cangling',
  thresholds: { rain: { yellow: { h1: 20 }, red: { h1: 80 } } },
  intervalSeconds: 300,
  alertRadiusKm: 3,
};

describe.skipIf(missing.length > 0)('a gauge’s reading reaches every channel and comes back acknowledged', () => {
  let sip: SipBeacon;
  let smsc: FakeSmsc | undefined;
  let speaker: BaresipPhone | undefined;
  let gauge: MqttClient | undefined;
  let township: SignalingClient | undefined;
  let workDir = '';
  let mqttTlsPort = 0;

  beforeAll(async () => {
    workDir = await mkdtemp(join(tmpdir(), 'beacon-channels-'));
    const smsPorts = await freePortBlock(4);
    const mqttPorts = await freePortBlock(2);
    mqttTlsPort = mqttPorts + 1;
    sip = await startSipBeacon({
      env: {
        BEACON_MQTT: 'on',
        BEACON_MQTT_PORT: String(mqttPorts),
        BEACON_MQTT_TLS_PORT: String(mqttTlsPort),
        BEACON_SMS: 'on',
        BEACON_SMSC: 'fake',
        BEACON_SMS_PORT_BASE: String(smsPorts),
        BEACON_SMS_SENDER: SENDER,
        BEACON_LOUDSPEAKER_REPEAT: '1',
      },
    });
    smsc = await FakeSmsc.connect(smsPorts + 3);
  }, 120_000);

  afterAll(async () => {
    township?.close();
    await gauge?.endAsync(true);
    await speaker?.stop();
    await smsc?.stop();
    await sip?.stop();
    await rm(workDir, { recursive: true, force: true });
  });

  it('gauge over mqtts → draft → issued → terminal, SMS and loudspeaker → 收到 acknowledges the village', async () => {
    const { url } = sip.beacon;
    const admin = sip.adminToken;
    const post = <T>(token: string, path: string, body: unknown = {}) =>
      apiJson<T>(url, token, path, { method: 'POST', body: JSON.stringify(body) });

    // The village with its head's mobile and its loudspeaker, and the gauge, as an admin registers them.
    const village = await post<{ id: string }>(admin, '/api/v1/admin/villages', {
      townshipId: 'cangling',
      name: '苍岭村',
      kind: 'village',
      lat: 24.845,
      lon: 101.605,
      contactName: '杨村长',
      contactMobile: VILLAGE_MOBILE,
    });
    const loudspeaker = await post<CreatedTerminal>(admin, '/api/v1/admin/terminals', {
      kind: 'loudspeaker',
      name: '苍岭村广播',
      villageId: village.id,
      extension: '9171',
    });
    const sipPassword = loudspeaker.sip?.password ?? '';
    const { token: gaugeToken } = await post<StationWithToken>(admin, '/api/v1/admin/stations', GAUGE);

    await waitForSubscriber(sip.beacon, '9171', sipPassword);
    const source = join(workDir, 'quiet.wav');
    await run('sox', ['-n', '-r', '8000', '-c', '1', '-b', '16', source, 'synth', '1', 'whitenoise', 'vol', '0.01']);
    const recordDir = join(workDir, 'rec');
    await mkdir(recordDir);
    speaker = await startBaresip({
      extension: '9171',
      password: sipPassword,
      registrar: sip.sip,
      sourceWav: source,
      recordDir,
      autoAnswer: true,
    });
    await speaker.waitRegistered(20_000);
    await waitFor(
      'signaling to know the loudspeaker registered',
      () => apiJson<LoudspeakerStatus[]>(url, admin, '/api/v1/sip/loudspeakers'),
      (list) => list.some((l) => l.extension === '9171' && l.registered),
      { timeoutMs: 30_000, intervalMs: 250 },
    );

    // 苍岭镇's terminal, connected before anything happens.
    township = await SignalingClient.connect(url, (await loginApi(url, 'cangling')).token);
    const banners = () =>
      (township as SignalingClient).events
        .filter((e) => e.event === 'alert:new')
        .map((e) => e.data as AlertForTerminal);

    // The gauge in the field: MQTT over TLS, trusting Beacon's CA, 25 mm within the hour (yellow: 20 mm).
    const ca = readFileSync(join(sip.beacon.dataDir, 'tls', 'ca.crt'), 'utf8');
    gauge = await connectAsync(`mqtts://127.0.0.1:${mqttTlsPort}`, {
      username: GAUGE.id,
      password: gaugeToken,
      ca,
      reconnectPeriod: 0,
      connectTimeout: 15_000,
    });
    await gauge.publishAsync(
      `beacon/stations/${GAUGE.id}/readings`,
      JSON.stringify({ readings: [{ at: new Date().toISOString(), value: 25 }] }),
      { qos: 1 },
    );

    // The system drafts; nothing goes out until the officer issues.
    const duty = (await loginApi(url, 'duty')).token;
    const drafts = await waitFor(
      'the system’s draft warning',
      () => apiJson<WarningView[]>(url, duty, '/api/v1/warnings'),
      (list) => list.some((w) => w.status === 'draft' && w.colour === 'yellow'),
      { timeoutMs: 30_000, intervalMs: 250 },
    );
    const draft = drafts.find((w) => w.status === 'draft') as WarningView;
    expect(draft.affectedTownshipIds).toEqual(['cangling']);
    expect(banners()).toHaveLength(0);
    expect(smsc?.received).toHaveLength(0);

    const issued = await post<WarningView>(duty, `/api/v1/warnings/${draft.id}/issue`);
    expect(issued.status).toBe('issued');

    // The terminal's banner.
    const [banner] = await waitFor('the banner on 苍岭镇’s terminal', banners, (list) => list.length > 0, {
      timeoutMs: 30_000,
    });
    expect(banner).toMatchObject({ warningId: draft.id, colour: 'yellow', headline: issued.headline });

    // The village head's text, through Kannel and the fake SMSC: UCS-2 parts that reassemble to the warning.
    const [text] = await waitFor(
      'the village head’s text',
      () => smsc?.texts().filter((t) => t.to === VILLAGE_MOBILE) ?? [],
      (texts) => texts.length > 0,
      { timeoutMs: 60_000, intervalMs: 250 },
    );
    expect(text?.text).toContain(`【应急预警】${issued.event}黄色预警：${issued.headline}`);
    expect(text?.text).toMatch(/回复1或“收到”签收。$/);

    // The loudspeaker answers by itself and plays chime + warning once; the gateway hangs up.
    await speaker.waitEstablished(30_000);
    await speaker.waitClosed(120_000);
    const [call] = await waitFor(
      'the board to show the loudspeaker played',
      () => apiJson<LoudspeakerCallView[]>(url, duty, `/api/v1/warnings/${draft.id}/loudspeakers`),
      (calls) => calls.length === 1 && (calls[0]?.state === 'played' || calls[0]?.state === 'failed'),
      { timeoutMs: 30_000, intervalMs: 250 },
    );
    expect(call).toMatchObject({ extension: '9171', state: 'played', failure: null });
    // What it heard: the length of the chime and the speech the gateway synthesised (read back from its cache).
    const speech = await new PromptLibrary({ cacheDir: join(os.homedir(), '.cache', 'beacon', 'prompts') }).sayZh(
      warningBroadcastText({ ...issued, notifyCount: 1 }),
    );
    const expected = attentionTone().length / 8000 + speech.length / 8000;
    const wav = await readWav(speaker.recordedWavs().at(-1) ?? '');
    expect(wav.durationSeconds).toBeGreaterThan(expected - 1);
    expect(wav.durationSeconds).toBeLessThan(expected + 3);
    expect(dbfs(wav.samples)).toBeGreaterThan(-35);
    const firstNote = Math.max(
      0,
      wav.samples.findIndex((s) => Math.abs(s) > 0.2),
    );
    const start = firstNote / wav.sampleRate;
    expect(toneRatio(segment(wav.samples, wav.sampleRate, start, start + 0.4), wav.sampleRate, 784)).toBeGreaterThan(
      0.5,
    );

    // The village head replies 收到: the village's acknowledgement, by SMS.
    const recipient = async () =>
      (await apiJson<SmsRecipientView[]>(url, duty, `/api/v1/warnings/${draft.id}/sms`)).find(
        (r) => r.mobile === VILLAGE_MOBILE,
      );
    await waitFor('the text delivered', recipient, (r) => r?.state === 'delivered', { timeoutMs: 30_000 });
    smsc?.send(VILLAGE_MOBILE, SENDER, '收到');
    const acked = await waitFor('the village acknowledged by SMS', recipient, (r) => r?.state === 'acked', {
      timeoutMs: 30_000,
    });
    expect(acked).toMatchObject({ role: 'village', villageId: village.id, reply: '收到' });
    expect(acked?.ackedAt).toBeTruthy();
  }, 300_000);
});
