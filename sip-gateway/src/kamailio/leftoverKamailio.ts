/**
 * Kamailio's worker processes outlive a main process killed with SIGKILL: nobody tells them, they keep the SIP
 * port, answer REGISTERs and route calls to a gateway that is gone, and the next Kamailio cannot serve on that
 * port (seen in the meeting faults run: after kill -9 of Kamailio no call got into a meeting again). So after the
 * main process died, and before each start, every process whose command line names this Kamailio's config file
 * is killed. The config file lives in our own work directory: no other program names it, and a recycled pid
 * running something else never matches.
 */
import { readdir, readFile } from 'node:fs/promises';

/** Pids of the processes (other than this one) whose command line has `configPath` as an argument. */
export async function processesNaming(configPath: string): Promise<number[]> {
  const found: number[] = [];
  for (const entry of await readdir('/proc').catch(() => [] as string[])) {
    const pid = Number(entry);
    if (!Number.isInteger(pid) || pid === process.pid) continue;
    const args = await readFile(`/proc/${pid}/cmdline`, 'utf8').catch(() => '');
    if (args.split('\0').includes(configPath)) found.push(pid);
  }
  return found;
}

/** SIGKILLs the processes naming `configPath` and waits (up to 2 s) until they are gone; returns their pids. */
export async function killLeftoverKamailio(configPath: string): Promise<number[]> {
  const pids = await processesNaming(configPath);
  for (const pid of pids) {
    try {
      process.kill(pid, 'SIGKILL');
    } catch {
      // Gone meanwhile.
    }
  }
  for (let i = 0; i < 100 && pids.length > 0; i++) {
    if ((await processesNaming(configPath)).length === 0) break;
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
  return pids;
}
