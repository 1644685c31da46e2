/**
 * Duplicate reports and departments in the chain, on a real store (both backends): the desk merges a department's
 * duplicate into a township's chain and undoes it, each audited in its transaction; a merged chain has no deadline
 * of its own; refusals change nothing; a department reports with the area's centre as its place and adds follow-ups
 * to the chains of incidents it is part of, not to others.
 */

import { randomUUID } from 'node:crypto';
import os from 'node:os';
import path from 'node:path';
import { BeaconError, type NewReport, newReportSchema, reportEntrySchema } from '@beacon/protocol';
import { beforeEach, expect, it } from 'vitest';
import { CommandBus } from '../command/CommandBus.ts';
import { IncidentDesk } from '../command/IncidentDesk.ts';
import type { Store } from '../store/index.ts';
import { describeStoreBackends } from '../store/testing/storeBackends.ts';
import { afterActionChainRows } from './afterActionChains.ts';
import { type ReportActor, ReportDesk } from './ReportDesk.ts';
import { DEFAULT_REPORT_OPTIONS } from './ReportOptions.ts';
import { ReportPhotoFiles } from './ReportPhotoFiles.ts';

const actor = (userId: string, role: ReportActor['role'], unit: Partial<ReportActor> = {}): ReportActor => ({
  userId,
  username: userId,
  displayName: userId,
  role,
  townshipId: null,
  ...unit,
});
const duty = actor('u-duty', 'duty_officer');
const zixi = actor('u-zixi', 'township', { townshipId: 'zixi' });
const water = actor('u-sw', 'department', { departmentId: 'dp-sw' });
const weather = actor('u-qx', 'department', { departmentId: 'dp-qx' });

const landslide = (title: string, over: Partial<NewReport> = {}): NewReport =>
  newReportSchema.parse({
    type: 'landslide',
    level: 'III',
    title,
    occurredAt: new Date(Date.now() - 5 * 60_000).toISOString(),
    description: '公路边坡垮塌',
    ...over,
  });
const followUp = (description: string) =>
  reportEntrySchema.parse({ kind: 'follow_up', occurredAt: new Date().toISOString(), description });

async function codeOf(promise: Promise<unknown>): Promise<string> {
  const error = await promise.then(
    () => null,
    (err: unknown) => err,
  );
  expect(error).toBeInstanceOf(BeaconError);
  return (error as BeaconError).code;
}

describeStoreBackends((env) => {
  let store: Store;
  let desk: ReportDesk;
  let incidents: IncidentDesk;
  beforeEach(async () => {
    store = await env.open({ seed: { demoPassword: 'pw' } });
    for (const [id, departmentId] of [
      ['u-sw', 'dp-sw'],
      ['u-qx', 'dp-qx'],
    ] as const) {
      await store.users.create({
        id,
        username: id,
        displayName: id,
        role: 'department',
        townshipId: null,
        departmentId,
        phone: null,
        passwordHash: 'h',
      });
    }
    await store.area.set({ name: '楚雄市', code: '532301', lat: 25.03, lon: 101.55 });
    const bus = new CommandBus(store);
    incidents = new IncidentDesk(bus);
    desk = new ReportDesk({
      bus,
      incidents,
      files: new ReportPhotoFiles(path.join(os.tmpdir(), `beacon-merge-test-${randomUUID()}`)),
      options: DEFAULT_REPORT_OPTIONS,
    });
  });

  it('merges a department duplicate into the township chain, shows both sides, and un-merges', async () => {
    const main = await desk.create(zixi, landslide('紫溪镇山体滑坡', { location: [25.01, 101.43] }));
    // A department has no seat: its report lies at the area's centre unless it taps the map.
    const duplicate = await desk.create(water, landslide('紫溪河边滑坡'));
    expect(duplicate.location).toEqual([25.03, 101.55]);
    const pushed: string[] = [];
    desk.on('report', (c) => pushed.push(c.id));

    const merged = await desk.merge(duty, duplicate.id, main.id);
    expect(merged.mergedInto).toEqual({ id: main.id, unitName: '紫溪镇', title: '紫溪镇山体滑坡' });
    expect(merged.mergedByName).toBe('u-duty');
    expect((await desk.get(zixi, main.id)).merged).toEqual([
      { id: duplicate.id, unitName: '楚雄市水务局', title: '紫溪河边滑坡' },
    ]);
    // The department still reads its own chain, marked as merged; not the township's.
    expect((await desk.get(water, duplicate.id)).mergedInto?.title).toBe('紫溪镇山体滑坡');
    expect(await codeOf(desk.get(water, main.id))).toBe('not_found');
    expect(pushed.sort()).toEqual([duplicate.id, main.id].sort());
    // A merged chain keeps no deadline of its own: far in the future, only the main chain is due.
    expect(await store.reports.dueBy('2099-01-01T00:00:00.000Z')).toEqual([main.id]);

    const audit = (await store.audit.list()).filter((a) => a.action.startsWith('report.merge'));
    expect(audit).toHaveLength(1);
    expect(audit[0]).toMatchObject({ target: duplicate.id, actorId: 'u-duty' });

    const separated = await desk.unmerge(duty, duplicate.id);
    expect(separated.mergedInto).toBeNull();
    expect((await desk.get(duty, main.id)).merged).toEqual([]);
    expect((await store.audit.list()).some((a) => a.action === 'report.unmerge' && a.target === duplicate.id)).toBe(
      true,
    );
  });

  it('lists the incident’s chain and the merged duplicate’s reports for the after-action report', async () => {
    const main = await desk.create(zixi, landslide('紫溪镇山体滑坡'));
    const linked = await desk.toIncident(duty, main.id, {});
    const duplicate = await desk.create(water, landslide('紫溪河边滑坡', { description: '水务局巡查发现滑坡' }));
    await desk.merge(duty, duplicate.id, main.id);
    await desk.addEntry(water, duplicate.id, followUp('河道通畅'));
    const rows = await afterActionChainRows(store, linked.incidentId ?? '', (iso) => iso.slice(11, 16));
    expect(rows.map((r) => [r[0], r[1], r[4]])).toEqual([
      ['紫溪镇', '首报', '公路边坡垮塌'],
      ['楚雄市水务局（已并入 紫溪镇）', '首报', '水务局巡查发现滑坡'],
      ['楚雄市水务局（已并入 紫溪镇）', '续报', '河道通畅'],
    ]);
    // The duplicate's follow-up reaches the main chain's incident timeline too.
    const timeline = await store.incidents.timeline(linked.incidentId ?? '');
    expect(timeline.some((e) => e.text.includes('合并重复报告') && e.text.includes('紫溪河边滑坡'))).toBe(true);
    expect(timeline.some((e) => e.text.includes('河道通畅'))).toBe(true);
  });

  it('refuses merges that are not the desk’s or would nest, and changes nothing', async () => {
    const a = await desk.create(zixi, landslide('A'));
    const b = await desk.create(water, landslide('B'));
    const c = await desk.create(weather, landslide('C'));
    expect(await codeOf(desk.merge(zixi, b.id, a.id))).toBe('forbidden');
    expect(await codeOf(desk.merge(duty, a.id, a.id))).toBe('invalid_state');
    expect(await codeOf(desk.merge(duty, a.id, 'nope'))).toBe('not_found');
    await desk.merge(duty, b.id, a.id);
    // One level deep: a main chain is merged into nothing, a merged chain is no main chain.
    expect(await codeOf(desk.merge(duty, a.id, c.id))).toBe('invalid_state');
    expect(await codeOf(desk.merge(duty, c.id, b.id))).toBe('invalid_state');
    expect(await codeOf(desk.merge(duty, b.id, c.id))).toBe('invalid_state');
    expect(await codeOf(desk.unmerge(duty, c.id))).toBe('invalid_state');
    expect(await codeOf(desk.unmerge(water, b.id))).toBe('forbidden');
    expect((await desk.get(duty, c.id)).mergedInto).toBeNull();
    expect((await desk.get(duty, b.id)).mergedInto?.id).toBe(a.id);
    expect((await store.audit.list()).filter((e) => e.action.startsWith('report.merge'))).toHaveLength(1);
  });

  it('lets a department add follow-ups to the chains of incidents it is part of, and no others', async () => {
    const chain = await desk.create(zixi, landslide('紫溪镇山体滑坡'));
    expect(await codeOf(desk.addEntry(water, chain.id, followUp('水务局到场')))).toBe('not_found');
    const linked = await desk.toIncident(duty, chain.id, {});
    await incidents.setDepartments(duty, linked.incidentId ?? '', ['dp-sw']);
    expect((await desk.list(water, { limit: 50 })).map((c) => c.id)).toContain(chain.id);
    expect(await desk.involvedDepartments(linked)).toEqual(['dp-sw']);
    const after = await desk.addEntry(water, chain.id, followUp('水务局到场，河道未堵塞'));
    expect(after.entries.map((e) => [e.kind, e.byName])).toEqual([
      ['first', 'u-zixi'],
      ['follow_up', 'u-sw'],
    ]);
    // The final report stays the township's; another department still sees nothing.
    const final = reportEntrySchema.parse({ kind: 'final', occurredAt: new Date().toISOString(), description: 'x' });
    expect(await codeOf(desk.addEntry(water, chain.id, final))).toBe('forbidden');
    expect(await codeOf(desk.addEntry(weather, chain.id, followUp('x')))).toBe('not_found');
    expect((await desk.list(weather, { limit: 50 })).map((c) => c.id)).not.toContain(chain.id);
    const timeline = await store.incidents.timeline(linked.incidentId ?? '');
    expect(timeline.some((e) => e.text.includes('水务局到场，河道未堵塞'))).toBe(true);
  });
});
