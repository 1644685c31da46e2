import { afterEach, describe, expect, it } from 'vitest';
import { ProcessStartError, ProcessSupervisor, type ProcessSupervisorOptions } from './ProcessSupervisor.ts';

/** Real Node child processes running small scripts: what the supervisor does to Kamailio or coturn, it does to these. */
const supervisors: ProcessSupervisor[] = [];

function supervise(script: string, options: Partial<ProcessSupervisorOptions> = {}): ProcessSupervisor {
  const supervisor = new ProcessSupervisor({
    name: 'test child',
    command: process.execPath,
    args: ['-e', script],
    stopGraceMs: 500,
    ...options,
  });
  supervisors.push(supervisor);
  return supervisor;
}

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

/** Prints `ready` after a moment and runs until told to stop. */
const SERVER = "setTimeout(() => console.log('ready'), 100); setInterval(() => {}, 1000);";

function readyWhenPrinted(): Partial<ProcessSupervisorOptions> {
  let printed = false;
  return {
    onOutput: (line) => {
      if (line === 'ready') printed = true;
      return line.startsWith('ERROR');
    },
    ready: async () => {
      const was = printed;
      printed = false; // a restarted child must print it again
      return was;
    },
  };
}

afterEach(async () => {
  await Promise.all(supervisors.splice(0).map((s) => s.stop()));
});

describe('ProcessSupervisor', () => {
  it('resolves start once the readiness probe passes, and stops with SIGTERM', async () => {
    const supervisor = supervise(SERVER, readyWhenPrinted());
    const ready: number[] = [];
    supervisor.on('ready', (pid) => ready.push(pid));
    await supervisor.start();
    const pid = supervisor.pid as number;
    expect(supervisor.state).toBe('running');
    expect(ready).toEqual([pid]);
    expect(alive(pid)).toBe(true);

    await supervisor.stop();
    expect(supervisor.state).toBe('stopped');
    expect(await supervisor.exited).toEqual({ code: null, signal: 'SIGTERM' });
    expect(alive(pid)).toBe(false);
    await supervisor.stop(); // idempotent
  });

  it('kills with SIGKILL a child that ignores SIGTERM past the grace period', async () => {
    const supervisor = supervise(
      "process.on('SIGTERM', () => {}); console.log('ready'); setInterval(() => {}, 1000);",
      {
        ...readyWhenPrinted(),
        stopGraceMs: 300,
      },
    );
    await supervisor.start();
    await supervisor.stop();
    expect((await supervisor.exited).signal).toBe('SIGKILL');
  });

  it('asks politely first when told how (ffmpeg reads q on stdin)', async () => {
    const supervisor = supervise(
      "process.stdin.on('data', (d) => { if (String(d).includes('q')) process.exit(0); }); console.log('ready');",
      { ...readyWhenPrinted(), stdin: true, requestStop: (child) => child.stdin?.write('q'), stopGraceMs: 5000 },
    );
    await supervisor.start();
    await supervisor.stop();
    expect(await supervisor.exited).toEqual({ code: 0, signal: null });
  });

  it('rejects start with the error lines when the child exits during start', async () => {
    const supervisor = supervise("console.error('ERROR: cannot bind 5060'); process.exit(3);", readyWhenPrinted());
    const error = await supervisor.start().catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ProcessStartError);
    expect((error as ProcessStartError).code).toBe('exited_during_start');
    expect((error as ProcessStartError).message).toMatch(
      /test child exited during start \(3\): ERROR: cannot bind 5060/,
    );
    expect(supervisor.state).toBe('stopped');
  });

  it('rejects start and kills the child when it is not ready in time', async () => {
    const supervisor = supervise('setInterval(() => {}, 1000);', { ready: async () => false, readyTimeoutMs: 300 });
    let pid = 0;
    const error = await supervisor.start().catch((e: unknown) => {
      pid = supervisor.pid ?? pid;
      return e;
    });
    expect((error as ProcessStartError).code).toBe('not_ready');
    expect(supervisor.pid).toBeNull();
    await supervisor.exited;
    if (pid) expect(alive(pid)).toBe(false);
  });

  it('rejects start when the program does not exist', async () => {
    const supervisor = supervise('', { command: '/nonexistent/beacon-program' });
    await expect(supervisor.start()).rejects.toMatchObject({ code: 'spawn_failed' });
  });

  it('restarts a child that dies, backing off, until stopped', async () => {
    // Ready at once, dies a moment later: every run is a crash.
    const supervisor = supervise("console.log('ready'); setTimeout(() => process.exit(1), 300);", {
      ...readyWhenPrinted(),
      restart: { initialDelayMs: 50, maxDelayMs: 200 },
    });
    const delays: number[] = [];
    const exits: (number | null)[] = [];
    const pids: number[] = [];
    supervisor.on('restarting', (delay) => delays.push(delay));
    supervisor.on('exit', ({ code }) => exits.push(code));
    supervisor.on('ready', (pid) => pids.push(pid));
    const fourthRun = new Promise<void>((resolve) =>
      supervisor.on('ready', () => {
        if (pids.length >= 5) resolve();
      }),
    );
    await supervisor.start();
    await fourthRun;
    await supervisor.stop();
    const restartsSoFar = delays.length;
    expect(delays.slice(0, 4)).toEqual([50, 100, 200, 200]);
    expect(exits.slice(0, 3)).toEqual([1, 1, 1]);
    expect(new Set(pids).size).toBe(pids.length);
    // Stopped means stopped: no restart is scheduled afterwards.
    await new Promise((resolve) => setTimeout(resolve, 400));
    expect(delays.length).toBe(restartsSoFar);
    expect(supervisor.state).toBe('stopped');
  });

  it('stays stopped after a crash when restart is off', async () => {
    const supervisor = supervise('setTimeout(() => process.exit(2), 100); setInterval(() => {}, 1000);', {
      restart: false,
    });
    const exited = new Promise<number | null>((resolve) => supervisor.once('exit', ({ code }) => resolve(code)));
    await supervisor.start();
    expect(await exited).toBe(2);
    expect(supervisor.state).toBe('stopped');
    expect(supervisor.pid).toBeNull();
  });
});
