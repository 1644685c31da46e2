/**
 * Starts Beacon the way an operator does (`node --import tsx signaling/src/main.ts`)
 * as a child process with its own data directory and ports, and waits until
 * /readyz says the media workers and the store are ready.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { request as httpsRequest } from 'node:https';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { seedDemoForTests } from './demoSeed.ts';
import { freePortBlock, freeTcpPort } from './ports.ts';

export const REPO_ROOT = resolve(import.meta.dirname, '../..');
export const DEMO_PASSWORD = 'beacon2026';

export interface BeaconProcess {
  url: string;
  port: number;
  dataDir: string;
  /** With `tls`: the plain-HTTP redirect/help port and Beacon's CA certificate (PEM). */
  httpPort: number | null;
  caCert: string | null;
  /** Process id of the Beacon (signaling) process. */
  pid: number;
  /** Everything the process printed, for failure reports. */
  output(): string;
  stop(): Promise<void>;
}

export interface BeaconProcessOptions {
  /** Reuse a data directory (restart tests); a fresh temp dir by default. */
  dataDir?: string;
  /** Media workers (default 1: tests run two files at a time on 2 cores). */
  mediaWorkers?: number;
  env?: Record<string, string>;
  /** HTTPS with Beacon's own CA (BEACON_TLS=auto) and a plain-HTTP help port; default plain HTTP. */
  tls?: boolean;
  /**
   * 'tests' (default): with BEACON_DEMO=on (the default here), the fixture seeds the demo city first, its
   * accounts on DEMO_PASSWORD with nothing to change (demoSeed.ts). 'beacon': Beacon seeds by itself as a
   * deployment does (demo accounts must change their password; BEACON_DEMO=off: only the admin).
   */
  seed?: 'tests' | 'beacon';
}

/** GET over HTTPS trusting `ca`; resolves the status code. */
export function httpsStatus(url: string, ca: string): Promise<number> {
  return new Promise((resolveStatus, reject) => {
    const req = httpsRequest(url, { ca, timeout: 5000 }, (res) => {
      res.resume();
      resolveStatus(res.statusCode ?? 0);
    });
    req.on('timeout', () => req.destroy(new Error('timeout')));
    req.on('error', reject);
    req.end();
  });
}

export async function startBeaconProcess(options: BeaconProcessOptions = {}): Promise<BeaconProcess> {
  const dataDir = options.dataDir ?? (await mkdtemp(join(tmpdir(), 'beacon-e2e-')));
  const ownsDataDir = options.dataDir === undefined;
  const port = await freeTcpPort();
  const httpPort = options.tls ? await freeTcpPort() : null;
  const mediaWorkers = options.mediaWorkers ?? 1;
  let output = '';
  const env: Record<string, string | undefined> = {
    ...process.env,
    BEACON_PORT: String(port),
    BEACON_HOST: '127.0.0.1',
    // Plain HTTP unless a test asks for TLS (env BEACON_TLS=auto): browsers on loopback need no certificate.
    BEACON_TLS: options.tls ? 'auto' : 'off',
    ...(httpPort !== null ? { BEACON_HTTP_PORT: String(httpPort) } : {}),
    BEACON_DATA_DIR: dataDir,
    BEACON_DEMO_PASSWORD: DEMO_PASSWORD,
    MEDIA_WORKERS: String(mediaWorkers),
    MEDIA_LISTEN_IP: '127.0.0.1',
    MEDIA_ANNOUNCED_ADDRESS: '127.0.0.1',
    MEDIA_RTC_PORT_BASE: String(await freePortBlock(mediaWorkers)),
    LOG_LEVEL: process.env.LOG_LEVEL ?? 'warn',
    // Phones are opt-in per test (startSipBeacon): Kamailio on a fixed port would collide between test files.
    BEACON_SIP: 'off',
    // The demo city the tests sign in to; a test of a real deployment's start sets BEACON_DEMO=off.
    BEACON_DEMO: 'on',
    ...options.env,
  };
  if (options.seed !== 'beacon' && env.BEACON_DEMO === 'on') {
    await seedDemoForTests({ dataDir, env, password: DEMO_PASSWORD });
  }
  const child: ChildProcess = spawn(process.execPath, ['--import', 'tsx', 'signaling/src/main.ts'], {
    cwd: REPO_ROOT,
    env,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  child.stdout?.on('data', (chunk: Buffer) => {
    output += chunk.toString();
  });
  child.stderr?.on('data', (chunk: Buffer) => {
    output += chunk.toString();
  });
  const exited = new Promise<number | null>((resolveExit) => child.once('exit', (code) => resolveExit(code)));
  const url = `${options.tls ? 'https' : 'http'}://127.0.0.1:${port}`;
  let caCert: string | null = null;

  const deadline = Date.now() + 60_000;
  for (;;) {
    if (child.exitCode !== null) throw new Error(`Beacon exited with ${child.exitCode} before ready:\n${output}`);
    try {
      if (options.tls) {
        caCert ??= await readFile(join(dataDir, 'tls', 'ca.crt'), 'utf8').catch(() => null);
        if (caCert && (await httpsStatus(`${url}/readyz`, caCert)) === 200) break;
      } else {
        const res = await fetch(`${url}/readyz`);
        if (res.status === 200) break;
      }
    } catch {
      // not listening yet
    }
    if (Date.now() > deadline) {
      child.kill('SIGKILL');
      throw new Error(`Beacon not ready within 60 s:\n${output}`);
    }
    await new Promise((r) => setTimeout(r, 200));
  }

  return {
    url,
    port,
    httpPort,
    caCert,
    dataDir,
    pid: child.pid as number,
    output: () => output,
    async stop() {
      if (child.exitCode === null) {
        child.kill('SIGTERM');
        const timer = setTimeout(() => child.kill('SIGKILL'), 10_000);
        await exited;
        clearTimeout(timer);
      }
      if (ownsDataDir) await rm(dataDir, { recursive: true, force: true });
    },
  };
}

/** Pids of the mediasoup workers Beacon spawned (its child processes). */
export async function mediaWorkerPids(beaconPid: number): Promise<number[]> {
  const { readFile } = await import('node:fs/promises');
  const children = await readFile(`/proc/${beaconPid}/task/${beaconPid}/children`, 'utf8');
  const pids: number[] = [];
  for (const pid of children.split(/\s+/).filter(Boolean).map(Number)) {
    const comm = await readFile(`/proc/${pid}/comm`, 'utf8').catch(() => '');
    if (comm.trim().startsWith('mediasoup-worke')) pids.push(pid);
  }
  return pids;
}
