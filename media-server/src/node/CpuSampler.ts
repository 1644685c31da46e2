/**
 * CPU usage of a media node: this Node.js process plus its mediasoup worker
 * processes, as % of one core over the interval since the previous sample.
 *
 * Workers are separate processes, so `process.cpuUsage()` alone misses the
 * part that forwards media; their time is read from /proc/PID/stat (Linux;
 * elsewhere only this process is counted).
 */
import { readFileSync } from 'node:fs';

/** Kernel clock ticks per second (USER_HZ), 100 on every Linux we run on. */
const CLOCK_TICKS_PER_SECOND = 100;

export class CpuSampler {
  readonly #workerPids: () => number[];
  #lastAt = performance.now();
  #lastCpuMs: number;

  constructor(workerPids: () => number[]) {
    this.#workerPids = workerPids;
    this.#lastCpuMs = this.#totalCpuMs();
  }

  /** % of one core used since the previous call (or construction). */
  sample(): number {
    const now = performance.now();
    const cpuMs = this.#totalCpuMs();
    const elapsed = now - this.#lastAt;
    // A worker that died and respawned restarts its counter: never report negative use.
    const percent = elapsed > 0 ? Math.max(0, ((cpuMs - this.#lastCpuMs) / elapsed) * 100) : 0;
    this.#lastAt = now;
    this.#lastCpuMs = cpuMs;
    return Math.round(percent * 10) / 10;
  }

  #totalCpuMs(): number {
    const self = process.cpuUsage();
    let total = (self.user + self.system) / 1000;
    for (const pid of this.#workerPids()) total += processCpuMs(pid);
    return total;
  }
}

/** utime + stime of a process in ms; 0 when it is gone or /proc is not there. */
export function processCpuMs(pid: number): number {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    // Fields after the command name (which may contain spaces) start after the last ')'.
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    const utime = Number(fields[11]);
    const stime = Number(fields[12]);
    return ((utime + stime) / CLOCK_TICKS_PER_SECOND) * 1000;
  } catch {
    return 0;
  }
}
