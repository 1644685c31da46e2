/**
 * A warning's phone channel for departments: the department's registered desk phone is called (naming no
 * township), and its "press 1" acknowledges the department's line, known by the extension.
 */
import type { AlertCallRequest } from '@beacon/protocol';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { SipBridge } from '../sip/SipBridge.ts';
import { bridgeWithGateway, createWaterBureauPhone } from '../sip/testing/bridgeWithGateway.ts';
import { openStore, type Store } from '../store/index.ts';
import { AlertCalls } from './AlertCalls.ts';
import { type Actor, CommandBus } from './CommandBus.ts';
import { WarningDesk } from './WarningDesk.ts';

const duty: Actor = {
  userId: 'u-duty',
  username: 'duty',
  displayName: '值班员',
  role: 'duty_officer',
  townshipId: null,
};
let store: Store;
let bridge: SipBridge;
let calls: AlertCallRequest[];

beforeEach(async () => {
  store = await openStore({ file: ':memory:', seed: { demoPassword: 'beacon2026' } });
  await createWaterBureauPhone(store);
  // The bureau's phone and 鹿城镇's are registered; 公安's has none.
  ({ bridge, calls } = await bridgeWithGateway(store, [
    { extension: '8101', contact: 'sip:8101@127.0.0.1:5071' },
    { extension: '8001', contact: 'sip:8001@127.0.0.1:5072' },
  ]));
});
afterEach(() => store.close());

describe('alert calls to departments', () => {
  it('calls the department’s registered desk phone and takes its “press 1” as the department’s ack', async () => {
    const bus = new CommandBus(store);
    const warnings = new WarningDesk(bus);
    const alertCalls = new AlertCalls({ bus, bridge, store, warnings });
    const draft = await warnings.create(duty, {
      event: '暴雨',
      colour: 'red',
      urgency: 'Expected',
      severity: 'Severe',
      certainty: 'Likely',
      headline: '暴雨红色预警',
      description: '',
      instruction: '',
      area: { type: 'circle', center: [25.04, 101.54], radiusKm: 1 },
      areaDesc: '',
      expires: new Date(Date.now() + 3_600_000).toISOString(),
      incidentId: null,
      escalationMinutes: 0,
      departmentIds: ['dp-sw', 'dp-ga'],
    });
    await warnings.issue(duty, draft.id);
    const until = Date.now() + 5_000;
    while (!calls.some((c) => c.extension === '8101') && Date.now() < until) {
      await new Promise((resolve) => setTimeout(resolve, 10));
    }
    const call = calls.find((c) => c.extension === '8101');
    expect(call).toMatchObject({ warningId: draft.id, townshipId: null });
    expect(call?.textZh).toContain('请按1签收');

    expect(await alertCalls.ack({ warningId: draft.id, townshipId: null, extension: '8101' })).toMatchObject({
      alreadyAcked: false,
    });
    const line = (await store.warnings.board(draft.id)).find((r) => r.departmentId === 'dp-sw');
    expect(line).toMatchObject({ channel: 'phone', ackedByName: '水务·8101' });
    expect(await alertCalls.ack({ warningId: draft.id, townshipId: null, extension: '8101' })).toMatchObject({
      alreadyAcked: true,
    });
    // A township's phone naming no township is no department's: refused, nothing changed.
    await expect(alertCalls.ack({ warningId: draft.id, townshipId: null, extension: '8001' })).rejects.toMatchObject({
      code: 'forbidden',
    });
    expect((await store.warnings.board(draft.id)).filter((r) => r.ackedAt !== null)).toHaveLength(1);
    alertCalls.close();
  });
});
