/**
 * Plan figures on a SQLite file (the embedded default): starting a response
 * from a plan of `steps` steps on each of `incidents` incidents (checklist,
 * timeline, audit, level and status in the store), reading an incident's
 * response with its previews, a unit ticking an item, and one tick of the
 * overdue watch over every running checklist. Run alone:
 * `npm run ts -- test/bench/plans.ts`.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { planInputSchema } from '@beacon/protocol';
import { type Actor, CommandBus } from '../../signaling/src/command/CommandBus.ts';
import { IncidentDesk } from '../../signaling/src/command/IncidentDesk.ts';
import { TaskDesk } from '../../signaling/src/command/TaskDesk.ts';
import { ChecklistWatch } from '../../signaling/src/plans/ChecklistWatch.ts';
import { PlanDesk } from '../../signaling/src/plans/PlanDesk.ts';
import { ResponseDesk } from '../../signaling/src/plans/ResponseDesk.ts';
import { openStore } from '../../signaling/src/store/index.ts';

const duty: Actor = {
  userId: 'u-duty',
  username: 'duty',
  displayName: '值班员',
  role: 'duty_officer',
  townshipId: null,
};
const zixi: Actor = { userId: 'u-zixi', username: 'zixi', displayName: '紫溪镇', role: 'township', townshipId: 'zixi' };

const round = (ms: number) => Math.round(ms * 10) / 10;
const percentile = (sorted: number[], p: number) =>
  round(sorted[Math.min(sorted.length - 1, Math.floor(sorted.length * p))] ?? 0);

async function timed(fn: () => Promise<unknown>): Promise<number> {
  const start = performance.now();
  await fn();
  return performance.now() - start;
}

export async function runPlansBench(opts: { incidents: number; steps: number }) {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'beacon-plans-bench-'));
  const store = await openStore({ file: path.join(dir, 'beacon.db'), seed: { demoPassword: 'bench-only' } });
  const bus = new CommandBus(store);
  const incidents = new IncidentDesk(bus);
  const responses = new ResponseDesk({ bus, incidents, tasks: new TaskDesk(bus) });
  const watch = new ChecklistWatch({ desk: responses, tickMs: 3_600_000 });
  try {
    const plan = planInputSchema.parse({
      title: '防汛 III 级应急预案',
      steps: Array.from({ length: opts.steps }, (_, i) => ({
        text: `处置步骤 ${i + 1}`,
        unitKind: i % 3 === 0 ? 'desk' : i % 3 === 1 ? 'township' : 'department',
        unitId: i % 3 === 2 ? 'dp-sw' : null,
        minutes: 15 + i,
      })),
      warning: { event: '洪水', colour: 'orange', headline: '洪水橙色预警' },
      tasks: [{ text: '转移群众', minutes: 60 }],
      meetingDepartmentIds: ['dp-sw'],
    });
    await new PlanDesk(bus).save(duty, 'flood', 'III', plan);
    const ids: string[] = [];
    for (let i = 0; i < opts.incidents; i++) {
      const incident = await incidents.create(duty, {
        type: 'flood',
        level: 'IV',
        title: `洪水 ${i}`,
        description: '',
        reporter: '',
        townshipId: 'zixi',
        departmentIds: [],
        location: [25.0, 101.42],
      });
      ids.push(incident.id);
    }
    const starts: number[] = [];
    for (const id of ids) starts.push(await timed(() => responses.start(duty, id, 'III')));
    const reads: number[] = [];
    for (const id of ids.slice(0, 50)) reads.push(await timed(() => responses.state(duty, id)));
    const own = await responses.items(zixi);
    const ticks: number[] = [];
    for (const item of own.slice(0, 100)) ticks.push(await timed(() => responses.tick(zixi, item.id)));
    const listMs = await timed(() => responses.items(zixi));
    // Nothing is due yet: the watch's query over every running checklist.
    const idleWatchMs = await timed(() => watch.tick(new Date()));
    let flagged = 0;
    const overdueWatchMs = await timed(async () => {
      flagged = (await watch.tick(new Date(Date.now() + 24 * 3_600_000))).length;
    });
    for (const list of [starts, reads, ticks]) list.sort((a, b) => a - b);
    return {
      incidents: opts.incidents,
      'steps per plan': opts.steps,
      'start p50 ms': percentile(starts, 0.5),
      'start p99 ms': percentile(starts, 0.99),
      'read response p50 ms': percentile(reads, 0.5),
      'tick p50 ms': percentile(ticks, 0.5),
      [`unit list ms (${own.length} items)`]: round(listMs),
      'watch tick ms (none due)': round(idleWatchMs),
      [`watch tick ms (${flagged} flagged)`]: round(overdueWatchMs),
    };
  } finally {
    watch.stop();
    await store.close();
    rmSync(dir, { recursive: true, force: true });
  }
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  console.table([await runPlansBench({ incidents: 200, steps: 30 })]);
}
