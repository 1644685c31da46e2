/**
 * The loudspeaker channel without a gateway process, on both store backends: a real store, command bus,
 * warning desk and SIP bridge, the gateway's status and progress reports given by hand (the real gateway and
 * a real baresip loudspeaker: test/integration/loudspeakers.test.ts). Which loudspeakers are called, how the
 * gateway's reports move them, stale reports ignored, escalation retrying the failed ones, the all-clear on
 * cancel, and the audit as the system's.
 */
import type { BroadcastRequest } from '@beacon/protocol';
import { afterEach, beforeEach, expect, it } from 'vitest';
import { type Actor, CommandBus } from '../command/CommandBus.ts';
import { Escalation } from '../command/Escalation.ts';
import { WarningDesk } from '../command/WarningDesk.ts';
import { SipBridge } from '../sip/SipBridge.ts';
import type { Store } from '../store/index.ts';
import { describeStoreBackends } from '../store/testing/storeBackends.ts';
import { LoudspeakerAlerts } from './LoudspeakerAlerts.ts';

const duty: Actor = {
  userId: 'u-duty',
  username: 'duty',
  displayName: '值班员',
  role: 'duty_officer',
  townshipId: null,
  departmentId: null,
};

const until = async (what: string, check: () => Promise<boolean> | boolean) => {
  for (let i = 0; i < 200; i++) {
    if (await check()) return;
    await new Promise((resolve) => setTimeout(resolve, 25));
  }
  throw new Error(`not reached: ${what}`);
};

describeStoreBackends((env) => {
  let store: Store;
  let bus: CommandBus;
  let desk: WarningDesk;
  let bridge: SipBridge;
  let alerts: LoudspeakerAlerts;
  let sent: BroadcastRequest[];

  /** The gateway reports these extensions registered with Kamailio. */
  const registered = (...extensions: string[]) =>
    bridge.report('gw', {
      kamailio: 'running',
      reason: null,
      registrations: extensions.map((extension) => ({ extension, contact: null, expiresAt: null })),
      inCall: [],
    });

  const village = (id: string, name: string, at: [number, number] | null) =>
    store.villages.create({
      id,
      townshipId: 'lucheng',
      name,
      kind: 'village',
      code: null,
      contactName: null,
      contactMobile: null,
      lat: at?.[0] ?? null,
      lon: at?.[1] ?? null,
    });
  const loudspeaker = (id: string, villageId: string, extension: string) =>
    store.terminals.create({
      id,
      kind: 'loudspeaker',
      name: `广播${extension}`,
      townshipId: 'lucheng',
      departmentId: null,
      villageId,
      extension,
    });

  beforeEach(async () => {
    store = await env.open({ seed: { demoPassword: 'pw' } });
    bus = new CommandBus(store);
    desk = new WarningDesk(bus);
    bridge = new SipBridge({ store, realm: 'beacon' });
    sent = [];
    bridge.on('broadcast', ({ request }) => sent.push(request));
    bridge.gatewayConnected('gw');
    // Two villages in the area (one without coordinates), one outside it.
    await village('v-in', '鹿城一村', [25.04, 101.54]);
    await village('v-unlocated', '鹿城二村', null);
    await village('v-out', '远山村', [25.3, 101.9]);
    await loudspeaker('ls-1', 'v-in', '9101');
    await loudspeaker('ls-2', 'v-unlocated', '9102');
    await loudspeaker('ls-3', 'v-out', '9103');
    await bridge.loadPhones();
    registered('9101', '9103');
    alerts = new LoudspeakerAlerts({ bus, bridge, options: { repeat: 3 } });
  });
  afterEach(() => alerts.close());

  const issue = async () => {
    const warning = await desk.create(duty, {
      event: '暴雨',
      colour: 'red',
      urgency: 'Immediate',
      severity: 'Severe',
      certainty: 'Likely',
      headline: '鹿城镇暴雨红色预警',
      description: '',
      instruction: '请转移到安全地带',
      area: { type: 'circle', center: [25.04, 101.54], radiusKm: 3 },
      areaDesc: '',
      expires: new Date(Date.now() + 3_600_000).toISOString(),
      incidentId: null,
      escalationMinutes: 1,
      departmentIds: [],
    });
    await desk.issue(duty, warning.id);
    return warning.id;
  };

  it('calls the area’s loudspeakers at once, plays the registered one, fails the other, audits both', async () => {
    const warningId = await issue();
    await until('both loudspeakers of the area on the board', async () => {
      const calls = await store.loudspeakers.list(warningId);
      return calls.length === 2 && calls.some((c) => c.state === 'failed');
    });
    // The village outside the area is not called; its loudspeaker has no row.
    const calls = await store.loudspeakers.list(warningId);
    expect(calls.map((c) => c.extension).sort()).toEqual(['9101', '9102']);
    expect(calls.find((c) => c.extension === '9102')).toMatchObject({ state: 'failed', failure: 'not_registered' });
    expect(sent).toEqual([
      expect.objectContaining({
        extension: '9101',
        kind: 'warning',
        repeat: 3,
        attempt: 1,
        textZh: '应急广播。暴雨红色预警。鹿城镇暴雨红色预警。请转移到安全地带。',
      }),
    ]);
    const [request] = sent as [BroadcastRequest];
    await alerts.progress({ callId: request.callId, attempt: 1, state: 'answered', reason: null });
    expect(await store.loudspeakers.get(request.callId)).toMatchObject({ state: 'playing' });
    await alerts.progress({ callId: request.callId, attempt: 1, state: 'ended', reason: null });
    const played = await store.loudspeakers.get(request.callId);
    expect(played).toMatchObject({ state: 'played', failure: null });
    expect(played?.playedAt).toBeTruthy();
    // A late report (another attempt, or after the end) moves nothing.
    await alerts.progress({ callId: request.callId, attempt: 2, state: 'busy', reason: null });
    await alerts.progress({ callId: request.callId, attempt: 1, state: 'failed', reason: 'late' });
    expect(await store.loudspeakers.get(request.callId)).toMatchObject({ state: 'played' });

    const audit = (await store.audit.list({ limit: 100 })).filter((a) => a.action.startsWith('loudspeaker.'));
    expect(audit.map((a) => a.action).sort()).toEqual(['loudspeaker.call', 'loudspeaker.result', 'loudspeaker.result']);
    expect(audit.every((a) => a.actorId === 'system')).toBe(true);
  });

  it('calls a failed loudspeaker again when the line escalates, and plays the all-clear on cancel', async () => {
    const warningId = await issue();
    await until('9102 failed', async () =>
      (await store.loudspeakers.list(warningId)).some((c) => c.extension === '9102' && c.state === 'failed'),
    );
    const first = sent[0] as BroadcastRequest;
    await alerts.progress({ callId: first.callId, attempt: 1, state: 'busy', reason: '486 Busy Here' });
    expect(await store.loudspeakers.get(first.callId)).toMatchObject({ failure: 'busy', reason: '486 Busy Here' });

    // Now 9102 has registered too; the township has not acknowledged within escalationMinutes.
    registered('9101', '9102');
    const escalation = new Escalation(bus, { tickMs: 3_600_000 });
    try {
      expect(await escalation.tick(new Date(Date.now() + 61_000))).toBe(1);
    } finally {
      escalation.stop();
    }
    await until('both called again', () => sent.length === 3);
    const retries = sent.slice(1);
    expect(retries.map((r) => [r.extension, r.attempt]).sort()).toEqual([
      ['9101', 2],
      ['9102', 2],
    ]);
    expect(retries[0]?.textZh.startsWith('应急广播。再次广播。')).toBe(true);
    const calls = await store.loudspeakers.list(warningId);
    expect(calls.every((c) => c.state === 'calling' && c.attempt === 2 && c.failure === null)).toBe(true);

    await desk.cancel(duty, warningId);
    await until('the all-clear sent to both', () => sent.length === 5);
    expect(
      sent
        .slice(3)
        .map((r) => [r.extension, r.kind, r.repeat])
        .sort(),
    ).toEqual([
      ['9101', 'all_clear', 1],
      ['9102', 'all_clear', 1],
    ]);
    expect(sent[3]?.textZh).toBe('应急广播。暴雨红色预警解除。鹿城镇暴雨红色预警。');
    // The all-clear's reports leave the board as it is.
    await alerts.progress({ callId: sent[3]?.callId ?? '', attempt: 1, state: 'busy', reason: null });
    expect((await store.loudspeakers.list(warningId)).every((c) => c.state === 'calling')).toBe(true);
  });
});
