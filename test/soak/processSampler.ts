/**
 * What the soak watches on Beacon's machine: resident memory and open file
 * descriptors of the signaling process and of each mediasoup worker (procfs,
 * so nothing inside Beacon has to cooperate), plus the V8 heap in use from
 * Beacon's own /metrics (prom-client's default process metrics).
 */
import { readdir, readFile } from 'node:fs/promises';
import { mediaWorkerPids } from '../src/beaconProcess.ts';

export interface ProcessSample {
  /** Seconds since the soak started. */
  atSeconds: number;
  beaconRssMb: number;
  beaconHeapUsedMb: number;
  beaconFds: number;
  /** Summed over the workers (one by default). */
  workerRssMb: number;
  workerFds: number;
}

const MB = 1024 * 1024;

/** VmRSS of a process (proc(5) `status`, in kB). */
export async function rssBytes(pid: number): Promise<number> {
  const status = await readFile(`/proc/${pid}/status`, 'utf8');
  const kb = /^VmRSS:\s+(\d+) kB/m.exec(status)?.[1];
  if (kb === undefined) throw new Error(`no VmRSS for pid ${pid}`);
  return Number(kb) * 1024;
}

export async function openFds(pid: number): Promise<number> {
  return (await readdir(`/proc/${pid}/fd`)).length;
}

/** A gauge of a Prometheus text exposition (unlabelled series only). */
export function metricValue(exposition: string, name: string): number {
  const line = exposition.split('\n').find((l) => l.startsWith(`${name} `));
  if (line === undefined) throw new Error(`metric ${name} not exposed`);
  return Number(line.split(' ')[1]);
}

export class ProcessSampler {
  readonly #startedAt = performance.now();

  constructor(
    private readonly beaconUrl: string,
    private readonly beaconPid: number,
  ) {}

  async sample(): Promise<ProcessSample> {
    const workers = await mediaWorkerPids(this.beaconPid);
    // procfs first: the /metrics request itself holds a socket (an fd) in Beacon for a few seconds.
    const [beaconRss, beaconFds, workerRss, workerFds] = await Promise.all([
      rssBytes(this.beaconPid),
      openFds(this.beaconPid),
      Promise.all(workers.map(rssBytes)),
      Promise.all(workers.map(openFds)),
    ]);
    const exposition = await (await fetch(`${this.beaconUrl}/metrics`)).text();
    return {
      atSeconds: Math.round((performance.now() - this.#startedAt) / 1000),
      beaconRssMb: round1(beaconRss / MB),
      beaconHeapUsedMb: round1(metricValue(exposition, 'nodejs_heap_size_used_bytes') / MB),
      beaconFds,
      workerRssMb: round1(sum(workerRss) / MB),
      workerFds: sum(workerFds),
    };
  }
}

function sum(values: number[]): number {
  return values.reduce((a, b) => a + b, 0);
}

function round1(value: number): number {
  return Math.round(value * 10) / 10;
}
