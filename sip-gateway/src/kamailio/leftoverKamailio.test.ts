/**
 * Leftover Kamailio processes: only those naming our config file are stopped; and with a real Kamailio killed
 * by SIGKILL, its workers are gone once the exit is reported, so the SIP port is free for the next start.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { createSocket } from 'node:dgram';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { KamailioProcess } from './KamailioProcess.ts';
import { killLeftoverKamailio, processesNaming } from './leftoverKamailio.ts';
import { startTestKamailio, type TestKamailio } from './testing.ts';

const alive = (pid: number) => {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
};

describe('leftover Kamailio processes', () => {
  const children: ChildProcess[] = [];
  let dir = '';
  afterEach(async () => {
    for (const child of children.splice(0)) child.kill('SIGKILL');
    if (dir) await rm(dir, { recursive: true, force: true });
  });
  /** A process whose command line names `file`, as a Kamailio worker's does (`-f <config>`). */
  const namingFile = (file: string) => {
    const child = spawn(process.execPath, ['-e', 'setInterval(() => {}, 1000)', '--', '-f', file], { stdio: 'ignore' });
    children.push(child);
    return child.pid as number;
  };

  it('stops every process naming the config file, and none other', async () => {
    dir = await mkdtemp(path.join(tmpdir(), 'beacon-leftover-'));
    const ours = path.join(dir, 'kamailio.cfg');
    const workers = [namingFile(ours), namingFile(ours)];
    const other = namingFile(path.join(dir, 'other.cfg'));
    await expect.poll(() => processesNaming(ours)).toHaveLength(2);
    expect((await killLeftoverKamailio(ours)).sort()).toEqual(workers.sort());
    expect(workers.map(alive)).toEqual([false, false]);
    expect(alive(other)).toBe(true);
    expect(await killLeftoverKamailio(ours)).toEqual([]);
  });
});

describe.skipIf(!KamailioProcess.available())('a real Kamailio killed by SIGKILL', () => {
  let test: TestKamailio | undefined;
  afterEach(async () => {
    await test?.close();
  });

  it('leaves no worker behind holding the SIP port', async () => {
    test = await startTestKamailio([]);
    const { kamailio, sipTarget } = test;
    const main = kamailio.pid as number;
    // Kamailio's workers: what a SIGKILL of the main process alone used to leave running.
    expect((await processesNaming(kamailio.configPath)).length).toBeGreaterThan(1);
    const exited = new Promise((resolve) => kamailio.once('exit', resolve));
    process.kill(main, 'SIGKILL');
    await exited;
    expect(await processesNaming(kamailio.configPath)).toEqual([]);
    // The port is free again: the next Kamailio (or anyone) can bind it.
    const socket = createSocket('udp4');
    const port = Number(sipTarget.split(':')[1]);
    await new Promise<void>((resolve, reject) => {
      socket.once('error', reject);
      socket.bind(port, '127.0.0.1', resolve);
    });
    socket.close();
  });
});
