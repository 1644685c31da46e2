/**
 * Monitoring stations under load: N stations (default 2,000) each publish one reading every 5 s over MQTT
 * (400 readings/s) to Beacon's own mosquitto; Beacon stores each reading (SQLite, the embedded default), sums
 * its rainfall windows and evaluates its thresholds (1 % of the stations have thresholds low enough to draft
 * warnings during the run), each with a day of history (every 5 minutes) stored before. The stations run in a child process (stationPublishers.ts) so only Beacon's side
 * is measured here.
 *
 * With `tls` (the default in `npm run bench`) the stations connect over MQTT over TLS with Beacon's CA, as in
 * the field; the time until all of them are connected (TLS handshakes, 100 at a time) is printed too.
 *
 * Prints readings/s evaluated, the delay from publish to evaluated (p50/p99/max), CPU of the ingest process
 * and of mosquitto (% of one core), and the drafts raised.
 *
 * Run alone: `npm run ts -- test/bench/stations.ts [--stations 2000] [--seconds 60] [--tls]`.
 */
import { fork } from 'node:child_process';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { parseArgs } from 'node:util';
import { freePortBlock } from '@beacon/common/test-ports';
import { CommandBus } from '../../signaling/src/command/CommandBus.ts';
import { WarningDesk } from '../../signaling/src/command/WarningDesk.ts';
import { StationService } from '../../signaling/src/stations/StationService.ts';
import { newStationToken } from '../../signaling/src/stations/stationTokens.ts';
import { openStore } from '../../signaling/src/store/openStore.ts';
import { percentile } from './stats.ts';

const CLOCK_TICKS_PER_SECOND = 100;
const WARMUP_MS = 10_000;

async function mosquittoCpuTicks(pid: number | null): Promise<number> {
  if (pid === null) return 0;
  const stat = await readFile(`/proc/${pid}/stat`, 'utf8');
  // Fields after the command name (which may hold spaces, inside parentheses): utime is the 14th, stime the 15th.
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  return Number(fields[11]) + Number(fields[12]);
}

export async function runStationsBench(opts: { stations: number; seconds: number; everyMs?: number; tls?: boolean }) {
  const everyMs = opts.everyMs ?? 5000;
  const dir = await mkdtemp(join(tmpdir(), 'beacon-stations-bench-'));
  const store = await openStore({ file: join(dir, 'beacon.sqlite'), seed: { demoPassword: 'bench' } });
  const townships = (await store.townships.list()).map((t) => t.id);
  const credentials: { id: string; token: string }[] = [];
  for (let i = 0; i < opts.stations; i++) {
    const { token, secrets } = newStationToken();
    const id = `RG-${String(i).padStart(5, '0')}`;
    const township = townships[i % townships.length] as string;
    // One in a hundred drafts a warning within the run (a few mm in 1 h); the rest never reach blue.
    const low = i % 100 === 0;
    await store.stations.create({
      id,
      name: `雨量站 ${i}`,
      kind: 'rain',
      lat: 25 + (i % 50) * 0.01,
      lon: 101.4 + Math.floor(i / 50) * 0.005,
      townshipId: township,
      ownerTownshipId: township,
      ownerDepartmentId: null,
      thresholds: low
        ? { rain: { yellow: { h1: 3 }, orange: { h1: 6 } } }
        : { rain: { blue: { h1: 50 }, yellow: { h3: 100 } } },
      warningLevel: null,
      guaranteedLevel: null,
      intervalSeconds: 60,
      alertRadiusKm: 3,
      ...secrets,
    });
    credentials.push({ id, token });
  }
  // A day of history per station (every 5 minutes, like a gauge in normal weather): evaluation must not get
  // slower as history grows, and each station's first batch rebuilds its windows from it.
  const dayAgo = Date.now() - 24 * 3_600_000;
  const history = Array.from({ length: 287 }, (_, i) => ({
    atMs: dayAgo + i * 300_000,
    value: 0.01,
    receivedMs: dayAgo + i * 300_000,
    skewed: false,
  }));
  await store.readings.insertMany(credentials.map((c) => ({ stationId: c.id, readings: history })));
  const bus = new CommandBus(store);
  const port = await freePortBlock(2);
  const tls = opts.tls ? { port: port + 1, host: '127.0.0.1', requireClientCert: false, caPermitted: [] } : null;
  const service = new StationService({
    bus,
    warnings: new WarningDesk(bus),
    options: {
      dataDir: dir,
      rawDays: 30,
      hourlyDays: 365,
      tickMs: 15_000,
      mqtt: { port, host: '127.0.0.1', maxPacketBytes: 65_536, tls },
    },
  });
  await service.start();
  const mosquittoPid = (await readFile(join(dir, 'mqtt', 'mosquitto.pid'), 'utf8').catch(() => '')).trim();

  let measuring = false;
  const delays: number[] = [];
  service.monitor.on('ingested', ({ newestAtMs }) => {
    if (measuring) delays.push(Date.now() - newestAtMs);
  });
  let drafts = 0;
  bus.on('warning', (w) => {
    if (measuring && w.createdBy === 'system') drafts++;
  });

  const stationsFile = join(dir, 'stations.json');
  await writeFile(stationsFile, JSON.stringify(credentials));
  const child = fork(
    fileURLToPath(new URL('./stationPublishers.ts', import.meta.url)),
    [
      '--stations',
      stationsFile,
      '--port',
      String(tls ? tls.port : port),
      ...(tls ? ['--ca', join(dir, 'tls', 'ca.crt')] : []),
      '--every-ms',
      String(everyMs),
      '--seconds',
      String(opts.seconds + WARMUP_MS / 1000),
    ],
    { execArgv: ['--conditions=beacon-source', '--import', 'tsx'], stdio: ['ignore', 'inherit', 'inherit', 'ipc'] },
  );
  const messages: Record<string, number>[] = [];
  child.on('message', (m) => messages.push(m as Record<string, number>));
  const exited = new Promise((resolve) => child.once('exit', resolve));
  await new Promise<void>((resolve, reject) => {
    const check = setInterval(() => {
      if (messages.some((m) => m.connected !== undefined)) {
        clearInterval(check);
        resolve();
      }
    }, 100);
    child.once('exit', () => reject(new Error('the publishers exited before connecting')));
  });

  const connectMs = messages.find((m) => m.connectMs !== undefined)?.connectMs ?? 0;
  await new Promise((r) => setTimeout(r, WARMUP_MS));
  measuring = true;
  const cpu0 = process.cpuUsage();
  const mq0 = await mosquittoCpuTicks(Number(mosquittoPid) || null);
  const t0 = performance.now();
  await new Promise((r) => setTimeout(r, opts.seconds * 1000));
  const elapsedS = (performance.now() - t0) / 1000;
  const cpu = process.cpuUsage(cpu0);
  const mq = (await mosquittoCpuTicks(Number(mosquittoPid) || null)) - mq0;
  measuring = false;
  await exited;

  await service.stop();
  await store.close();
  await rm(dir, { recursive: true, force: true });
  return {
    stations: opts.stations,
    transport: tls ? 'mqtts' : 'mqtt',
    'all connected (s)': Math.round(connectMs / 100) / 10,
    'offered readings/s': Math.round(opts.stations / (everyMs / 1000)),
    'evaluated readings/s': Math.round(delays.length / elapsedS),
    'delay p50 ms': percentile(delays, 50),
    'delay p99 ms': percentile(delays, 99),
    'delay max ms': Math.max(...delays),
    'Beacon CPU %': Math.round(((cpu.user + cpu.system) / 1e6 / elapsedS) * 100),
    'mosquitto CPU %': Math.round((mq / CLOCK_TICKS_PER_SECOND / elapsedS) * 100),
    'drafts raised': drafts,
  };
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  const { values } = parseArgs({
    options: { stations: { type: 'string' }, seconds: { type: 'string' }, tls: { type: 'boolean' } },
  });
  const stations = Number(values.stations ?? 2000);
  const seconds = Number(values.seconds ?? 60);
  const over = values.tls ? 'MQTT over TLS' : 'MQTT';
  console.log(`## Monitoring stations: ${stations} rain gauges × one reading per 5 s over ${over}, ${seconds} s`);
  console.table([await runStationsBench({ stations, seconds, tls: values.tls ?? false })]);
}
