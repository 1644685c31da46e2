/**
 * A server of ours that outlived a killed Beacon (SIGKILL leaves no time to stop it) still holds its ports:
 * stop it, but only when its command line names our config file, so a recycled pid is never hit. coturn and
 * mosquitto write a pid file; this reads it before each start.
 */
import { readFile } from 'node:fs/promises';
import type { Logger } from '@beacon/common';

export async function stopLeftover(pidFile: string, configPath: string, logger: Logger, name: string): Promise<void> {
  const pid = Number.parseInt(await readFile(pidFile, 'utf8').catch(() => ''), 10);
  if (!Number.isInteger(pid) || pid <= 0) return;
  const cmdline = await readFile(`/proc/${pid}/cmdline`, 'utf8').catch(() => '');
  if (!cmdline.split('\0').includes(configPath)) return;
  logger.warn({ pid }, `stopping a ${name} left over from an earlier run`);
  process.kill(pid, 'SIGKILL');
  for (let i = 0; i < 50 && (await readFile(`/proc/${pid}/cmdline`, 'utf8').catch(() => null)) !== null; i++) {
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}
