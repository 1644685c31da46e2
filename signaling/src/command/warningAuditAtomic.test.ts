/**
 * A warning's change and its audit entry commit together (both backends): with the entry refused (a trigger
 * aborts its insert), the duty officer's edit of a draft and a CAP draft, update and cancel store nothing; once
 * entries are written again, the same calls store the change with its entry.
 */
import type { WarningSource } from '@beacon/protocol';
import { beforeEach, expect, it } from 'vitest';
import type { Store } from '../store/index.ts';
import { refuseAudit } from '../store/testing/refuseAudit.ts';
import { sampleWarning } from '../store/testing/sampleWarnings.ts';
import { describeStoreBackends } from '../store/testing/storeBackends.ts';
import { CommandBus } from './CommandBus.ts';
import { type OutsideDraft, OutsideWarnings } from './cap/OutsideWarnings.ts';
import { actor } from './testing/actors.ts';
import { WarningDesk } from './WarningDesk.ts';

const duty = actor('u-duty', 'duty_officer');

const source = (identifier: string, msgType: WarningSource['msgType']): WarningSource => ({
  kind: 'file',
  feedId: null,
  feedName: null,
  sender: 'cma@example.cn',
  identifier,
  sent: new Date().toISOString(),
  status: 'Actual',
  msgType,
  senderName: null,
  language: 'zh-CN',
  infoCount: 1,
  web: null,
  contact: null,
  cancelledBy: msgType === 'Cancel' ? identifier : null,
});

const outside = (identifier: string, headline: string, msgType: WarningSource['msgType']): OutsideDraft => {
  const {
    id: _id,
    status: _s,
    createdAt: _c,
    createdBy: _b,
    issuedAt: _i,
    issuedBy: _ib,
    ...content
  } = sampleWarning('x');
  return {
    ...content,
    identifier,
    sender: 'cma@example.cn',
    headline,
    escalationMinutes: null,
    geocodeTownshipIds: [],
    source: source(identifier, msgType),
  };
};

describeStoreBackends((env) => {
  let store: Store;
  let desk: WarningDesk;
  let cap: OutsideWarnings;
  beforeEach(async () => {
    store = await env.open({ seed: { demoPassword: 'pw' } });
    const bus = new CommandBus(store);
    desk = new WarningDesk(bus);
    cap = new OutsideWarnings(bus, desk);
  });
  const entries = async (action: string) =>
    (await store.audit.list({ limit: 1000 })).filter((e) => e.action === action);

  it("keeps no edit of a draft whose entry was refused, and stores both once it isn't", async () => {
    await store.warnings.create(sampleWarning('w1'));
    const refusal = await refuseAudit(env, ['warning.update']);
    await expect(desk.update(duty, 'w1', { colour: 'red', areaDesc: '鹿城镇全境' })).rejects.toThrow(/audit refused/);
    expect(await store.warnings.get('w1')).toMatchObject({ colour: 'orange', areaDesc: '' });
    await refusal.allow();
    await desk.update(duty, 'w1', { colour: 'red', areaDesc: '鹿城镇全境' });
    expect(await store.warnings.get('w1')).toMatchObject({ colour: 'red', areaDesc: '鹿城镇全境' });
    expect(await entries('warning.update')).toHaveLength(1);
  });

  it('keeps no CAP draft, update or cancel whose entry was refused', async () => {
    const refusal = await refuseAudit(env, ['warning.import', 'warning.update', 'warning.withdraw']);
    await expect(cap.draft(duty, outside('cma-1', '暴雨橙色预警', 'Alert'))).rejects.toThrow(/audit refused/);
    expect(await store.warnings.findByIdentifier('cma-1')).toBeUndefined();
    await refusal.allow();

    const drafted = await cap.draft(duty, outside('cma-1', '暴雨橙色预警', 'Alert'));
    const refusedAgain = await refuseAudit(env, ['warning.update', 'warning.withdraw']);
    await expect(cap.applyUpdate(duty, drafted.id, outside('cma-2', '暴雨红色预警', 'Update'))).rejects.toThrow(
      /audit refused/,
    );
    await expect(cap.withdraw(duty, drafted.id, source('cma-3', 'Cancel'))).rejects.toThrow(/audit refused/);
    const unchanged = await store.warnings.get(drafted.id);
    expect(unchanged).toMatchObject({ headline: '暴雨橙色预警', status: 'draft' });
    expect(unchanged?.source).toMatchObject({ identifier: 'cma-1', cancelledBy: null });
    expect(await entries('warning.import')).toHaveLength(1);
    expect(await entries('warning.update')).toHaveLength(0);
    expect(await entries('warning.withdraw')).toHaveLength(0);

    await refusedAgain.allow();
    await cap.withdraw(duty, drafted.id, source('cma-3', 'Cancel'));
    expect(await store.warnings.get(drafted.id)).toMatchObject({ status: 'cancelled' });
    expect(await entries('warning.withdraw')).toHaveLength(1);
  });
});
