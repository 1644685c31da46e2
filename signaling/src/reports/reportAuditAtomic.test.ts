/**
 * The duty desk's handling of a report chain and its audit entry commit together (both backends): with the
 * entry refused (a trigger aborts its insert), verifying, asking, answering and linking to an incident store
 * nothing and tell nobody; with entries written again the same calls go through, each with its entry.
 */
import os from 'node:os';
import path from 'node:path';
import { newReportSchema } from '@beacon/protocol';
import { beforeEach, expect, it } from 'vitest';
import { CommandBus } from '../command/CommandBus.ts';
import { IncidentDesk } from '../command/IncidentDesk.ts';
import { actor } from '../command/testing/actors.ts';
import type { Store } from '../store/index.ts';
import { refuseAudit } from '../store/testing/refuseAudit.ts';
import { describeStoreBackends } from '../store/testing/storeBackends.ts';
import { ReportDesk } from './ReportDesk.ts';
import { DEFAULT_REPORT_OPTIONS } from './ReportOptions.ts';
import { ReportPhotoFiles } from './ReportPhotoFiles.ts';

const duty = actor('u-duty', 'duty_officer');
const zixi = actor('u-zixi', 'township', { townshipId: 'zixi' });

describeStoreBackends((env) => {
  let store: Store;
  let desk: ReportDesk;
  let told: string[];
  beforeEach(async () => {
    store = await env.open({ seed: { demoPassword: 'pw' } });
    const bus = new CommandBus(store);
    const files = new ReportPhotoFiles(path.join(os.tmpdir(), `beacon-report-audit-${process.pid}-${Date.now()}`));
    desk = new ReportDesk({ bus, incidents: new IncidentDesk(bus), files, options: DEFAULT_REPORT_OPTIONS });
    told = [];
    desk.on('report', (chain) => told.push(chain.state));
  });
  const actions = async () =>
    (await store.audit.list({ limit: 1000 })).map((e) => e.action).filter((a) => a.startsWith('report.'));

  it('keeps no verification, question, answer or incident link whose entry was refused', async () => {
    const chain = await desk.create(
      zixi,
      newReportSchema.parse({
        type: 'flood',
        title: '紫溪河漫堤',
        occurredAt: new Date(Date.now() - 600_000).toISOString(),
        description: '河水漫过堤坝',
      }),
    );
    const refused = await refuseAudit(env, ['report.verify', 'report.ask', 'report.answer', 'report.incident']);
    await expect(desk.verify(duty, chain.id)).rejects.toThrow(/audit refused/);
    await expect(desk.ask(duty, chain.id, '有无人员被困？')).rejects.toThrow(/audit refused/);
    await expect(desk.toIncident(duty, chain.id, {})).rejects.toThrow(/audit refused/);
    const unchanged = await desk.get(duty, chain.id);
    expect(unchanged).toMatchObject({ state: 'received', verifiedAt: null, incidentId: null });
    expect(unchanged.questions).toEqual([]);
    expect(told).toEqual(['received']);
    await refused.allow();

    await desk.ask(duty, chain.id, '有无人员被困？');
    const question = (await desk.get(duty, chain.id)).questions[0];
    if (!question) throw new Error('no question stored');
    const answers = await refuseAudit(env, ['report.answer']);
    await expect(desk.answer(zixi, chain.id, question.id, '无人被困')).rejects.toThrow(/audit refused/);
    expect((await desk.get(duty, chain.id)).questions[0]).toMatchObject({ answer: null });
    await answers.allow();
    await desk.answer(zixi, chain.id, question.id, '无人被困');
    expect((await desk.verify(duty, chain.id)).state).toBe('verified');
    expect((await actions()).sort()).toEqual(['report.answer', 'report.ask', 'report.create', 'report.verify']);
  });
});
