/**
 * A missed report deadline on a real store (both backends): the chain turns red once and the reporting unit's
 * registered desk phone — a department's too — is called with the reminder; a merged duplicate has no deadline.
 */
import { randomUUID } from 'node:crypto';
import os from 'node:os';
import path from 'node:path';
import { type AlertCallRequest, newReportSchema } from '@beacon/protocol';
import { afterEach, beforeEach, expect, it } from 'vitest';
import { CommandBus } from '../command/CommandBus.ts';
import { IncidentDesk } from '../command/IncidentDesk.ts';
import { bridgeWithGateway, createWaterBureauPhone } from '../sip/testing/bridgeWithGateway.ts';
import type { Store } from '../store/index.ts';
import { describeStoreBackends } from '../store/testing/storeBackends.ts';
import { OverdueCalls } from './OverdueCalls.ts';
import { ReportDeadlineWatch } from './ReportDeadlineWatch.ts';
import { type ReportActor, ReportDesk } from './ReportDesk.ts';
import { DEFAULT_REPORT_OPTIONS } from './ReportOptions.ts';
import { ReportPhotoFiles } from './ReportPhotoFiles.ts';

const duty: ReportActor = {
  userId: 'u-duty',
  username: 'duty',
  displayName: '值班员',
  role: 'duty_officer',
  townshipId: null,
};
const zixi: ReportActor = {
  userId: 'u-zixi',
  username: 'zixi',
  displayName: '紫溪镇',
  role: 'township',
  townshipId: 'zixi',
};
const water: ReportActor = {
  userId: 'u-sw',
  username: 'sw',
  displayName: '水务局',
  role: 'department',
  townshipId: null,
  departmentId: 'dp-sw',
};
const report = (title: string) =>
  newReportSchema.parse({
    type: 'landslide',
    level: 'III',
    title,
    occurredAt: new Date().toISOString(),
    location: [25.0, 101.42],
    description: '公路边坡垮塌',
  });

describeStoreBackends((env) => {
  let store: Store;
  let watch: ReportDeadlineWatch;
  let desk: ReportDesk;
  let calls: AlertCallRequest[];
  beforeEach(async () => {
    store = await env.open({ seed: { demoPassword: 'pw' } });
    await store.users.create({
      id: 'u-sw',
      username: 'sw',
      displayName: '水务局',
      role: 'department',
      townshipId: null,
      departmentId: 'dp-sw',
      phone: null,
      passwordHash: 'h',
    });
    await createWaterBureauPhone(store);
    const registered = await bridgeWithGateway(store, ['8004', '8101']);
    const bridge = registered.bridge;
    calls = registered.calls;
    const files = new ReportPhotoFiles(path.join(os.tmpdir(), `beacon-deadline-test-${randomUUID()}`));
    const bus = new CommandBus(store);
    desk = new ReportDesk({ bus, incidents: new IncidentDesk(bus), files, options: DEFAULT_REPORT_OPTIONS });
    watch = new ReportDeadlineWatch({
      desk,
      store,
      files,
      tickMs: 3_600_000,
      calls: new OverdueCalls({ sip: bridge, store }),
    });
  });
  afterEach(() => watch.stop());

  it('turns a missed follow-up red once and calls the township’s and the department’s desk phones', async () => {
    const township = await desk.create(zixi, report('紫溪镇山体滑坡'));
    const department = await desk.create(water, report('水务局报告的滑坡'));
    const duplicate = await desk.create(water, report('重复'));
    await desk.merge(duty, duplicate.id, township.id);
    // Level III: a follow-up every 4 h.
    const late = new Date(Date.now() + 5 * 3_600_000);
    const flagged = await watch.tick(late);
    expect(flagged.map((c) => c.id).sort()).toEqual([township.id, department.id].sort());
    expect(calls.map((c) => [c.warningId, c.extension, c.townshipId]).sort()).toEqual(
      [
        [`report:${township.id}`, '8004', 'zixi'],
        [`report:${department.id}`, '8101', null],
      ].sort(),
    );
    expect(calls.find((c) => c.extension === '8004')?.textZh).toContain('紫溪镇山体滑坡');
    // Once: no repeat configured.
    expect(await watch.tick(new Date(late.getTime() + 3_600_000))).toEqual([]);
    expect(calls).toHaveLength(2);
  });
});
