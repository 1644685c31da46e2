/**
 * The production start: the TypeScript build (`tsc -b`, as `npm run build` runs it) into each
 * workspace's dist/, then signaling and a separate media node started with plain `node` from
 * dist — no tsx, no loader, no source condition — serve what an operator and a terminal use:
 * health, sign-in, a socket.io join with a WebRTC transport on a real mediasoup worker.
 */
import { type ChildProcess, execFile, spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdtemp, readFile, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { loopbackOptions } from '@beacon/media-server/testing';
import type { SipStatus } from '@beacon/protocol';
import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import { DEMO_PASSWORD, mediaWorkerPids, REPO_ROOT } from '../src/beaconProcess.ts';
import { mediaNodeKey } from '../src/mediaNodeProcess.ts';
import { freePortBlock, freeSipPort, freeTcpPort } from '../src/ports.ts';
import { apiJson, changePasswordApi, initialAdminPassword, loginApi, SignalingClient } from '../src/signaling.ts';

const SIGNALING_MAIN = 'signaling/dist/main.js';
const MEDIA_NODE_MAIN = 'media-server/dist/node/main.js';

interface BuiltProcess {
  child: ChildProcess;
  output(): string;
  /** Resolves with the first output line matching `pattern`; rejects if the process exits first. */
  line(pattern: RegExp, timeoutMs?: number): Promise<string>;
  stop(): Promise<number | null>;
}

const running: BuiltProcess[] = [];
const dataDirs: string[] = [];

afterEach(async () => {
  await Promise.all(running.splice(0).map((p) => p.stop()));
  await Promise.all(dataDirs.splice(0).map((dir) => rm(dir, { recursive: true, force: true })));
});

/** This environment without what tests add for running from source (NODE_OPTIONS carries the source condition). */
function productionEnv(extra: Record<string, string>): NodeJS.ProcessEnv {
  const { NODE_OPTIONS: _sourceCondition, ...env } = process.env;
  return { ...env, LOG_LEVEL: process.env.LOG_LEVEL ?? 'warn', ...extra };
}

function startBuilt(main: string, env: Record<string, string>): BuiltProcess {
  const child = spawn(process.execPath, [main], {
    cwd: REPO_ROOT,
    env: productionEnv(env),
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  const listeners = new Set<() => void>();
  const append = (chunk: Buffer) => {
    output += chunk.toString();
    for (const listener of listeners) listener();
  };
  child.stdout?.on('data', append);
  child.stderr?.on('data', append);
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  const built: BuiltProcess = {
    child,
    output: () => output,
    line(pattern, timeoutMs = 30_000) {
      return new Promise((resolve, reject) => {
        const check = () => {
          const found = output.split('\n').find((l) => pattern.test(l));
          if (found !== undefined) done(() => resolve(found));
        };
        const timer = setTimeout(
          () => done(() => reject(new Error(`no ${pattern} within ${timeoutMs} ms:\n${output}`))),
          timeoutMs,
        );
        const done = (settle: () => void) => {
          clearTimeout(timer);
          listeners.delete(check);
          settle();
        };
        void exited.then((code) => done(() => reject(new Error(`${main} exited with ${code}:\n${output}`))));
        listeners.add(check);
        check();
      });
    },
    async stop() {
      if (child.exitCode === null && child.signalCode === null) {
        child.kill('SIGTERM');
        const timer = setTimeout(() => child.kill('SIGKILL'), 15_000);
        const code = await exited;
        clearTimeout(timer);
        return code;
      }
      return child.exitCode;
    },
  };
  running.push(built);
  return built;
}

async function waitReady(url: string, process: BuiltProcess): Promise<void> {
  const deadline = Date.now() + 30_000;
  for (;;) {
    if (process.child.exitCode !== null)
      throw new Error(`signaling exited with ${process.child.exitCode}:\n${process.output()}`);
    const status = await fetch(`${url}/readyz`).then(
      (res) => res.status,
      () => 0,
    );
    if (status === 200) return;
    if (Date.now() > deadline) throw new Error(`signaling not ready within 30 s:\n${process.output()}`);
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
}

async function signalingEnv(
  extra: Record<string, string> = {},
): Promise<{ url: string; dataDir: string; env: Record<string, string> }> {
  const dataDir = await mkdtemp(path.join(tmpdir(), 'beacon-prod-'));
  dataDirs.push(dataDir);
  const port = await freeTcpPort();
  return {
    url: `http://127.0.0.1:${port}`,
    dataDir,
    env: {
      BEACON_PORT: String(port),
      BEACON_HOST: '127.0.0.1',
      BEACON_TLS: 'off',
      BEACON_DATA_DIR: dataDir,
      // No BEACON_DEMO: a production start has no demo data, only its admin with a one-time password.
      // Kamailio on its fixed port would collide with other test files; phones have their own tests.
      BEACON_SIP: 'off',
      MEDIA_WORKERS: '1',
      MEDIA_LISTEN_IP: '127.0.0.1',
      MEDIA_ANNOUNCED_ADDRESS: '127.0.0.1',
      MEDIA_RTC_PORT_BASE: String(await freePortBlock()),
      ...extra,
    },
  };
}

/**
 * How the process was started and what it was given: plain node on the built file, no NODE_OPTIONS, so no
 * loader (tsx) and no source condition. Node 20 cannot run a .ts file without a loader: anything resolved to
 * src/ instead of dist/ would have stopped the start.
 */
async function expectPlainNode(pid: number, main: string): Promise<void> {
  const argv = (await readFile(`/proc/${pid}/cmdline`, 'utf8')).split('\0').filter(Boolean);
  expect(argv).toEqual([process.execPath, main]);
  const environ = (await readFile(`/proc/${pid}/environ`, 'utf8')).split('\0');
  expect(environ.filter((entry) => entry.startsWith('NODE_OPTIONS='))).toEqual([]);
}

/**
 * The first sign-in of a production start: no demo account, the admin's one-time password from its 0600 file
 * in the data dir, changed at once (the file goes with it). Returns the admin's token.
 */
async function firstAdminSignIn(url: string, dataDir: string): Promise<string> {
  expect((await fetch(`${url}/api/v1/auth/login`, loginBody('chair', DEMO_PASSWORD))).status).toBe(401);
  const file = path.join(dataDir, 'initial-admin-password');
  expect((await stat(file)).mode & 0o777).toBe(0o600);
  const oneTime = await initialAdminPassword(dataDir);
  const first = await loginApi(url, 'admin', oneTime);
  expect(first.passwordChangeRequired).toBe(true);
  const { token, passwordChangeRequired } = await changePasswordApi(url, 'admin', oneTime, ADMIN_PASSWORD);
  expect(passwordChangeRequired).toBe(false);
  expect(existsSync(file)).toBe(false);
  return token;
}

const ADMIN_PASSWORD = 'prod-chosen-secret-2026';
const loginBody = (username: string, password: string): RequestInit => ({
  method: 'POST',
  headers: { 'content-type': 'application/json' },
  body: JSON.stringify({ username, password }),
});

/** Sign-in, a socket.io join and a WebRTC send transport with a producer: the media worker answers. */
async function expectMeetingWorks(url: string, dataDir: string): Promise<void> {
  const token = await firstAdminSignIn(url, dataDir);
  await apiJson(url, token, '/api/v1/rooms', {
    method: 'POST',
    body: JSON.stringify({ id: 'prod-check', title: '上线检查', kind: 'meeting' }),
  });
  const client = await SignalingClient.connect(url, token);
  try {
    const joined = await client.join('prod-check');
    expect(joined.self).toMatchObject({ role: 'admin', meetingRole: 'chair' });
    expect(await client.produceSilentVideo()).toEqual(expect.any(String));
  } finally {
    client.socket.close();
  }
}

describe('production start from the build', () => {
  beforeAll(async () => {
    // Incremental: a second run, or one after `npm run build`, only checks that dist/ is up to date.
    await promisify(execFile)(
      process.execPath,
      ['node_modules/typescript/bin/tsc', '-b', 'signaling/tsconfig.build.json'],
      {
        cwd: REPO_ROOT,
        timeout: 150_000,
      },
    );
  }, 160_000);

  it('runs signaling with plain node: health, sign-in, a join with media, the console or its notice', async () => {
    const { url, dataDir, env } = await signalingEnv();
    const signaling = startBuilt(SIGNALING_MAIN, env);
    await waitReady(url, signaling);
    await expectPlainNode(signaling.child.pid as number, SIGNALING_MAIN);

    expect((await fetch(`${url}/healthz`)).status).toBe(200);
    await expectMeetingWorks(url, dataDir);
    // The console is found from dist as it is from src (console/dist, built by `npm run build`).
    const page = await (await fetch(`${url}/`)).text();
    if (existsSync(path.join(REPO_ROOT, 'console/dist/index.html'))) expect(page).toMatch(/<!doctype html>/i);
    else expect(page).toContain('Beacon console is not built');

    expect(await signaling.stop()).toBe(0);
  });

  it('runs a separate media node with plain node, and signaling places a meeting on it', async () => {
    const key = mediaNodeKey();
    const media = await loopbackOptions(1);
    const node = startBuilt(MEDIA_NODE_MAIN, {
      MEDIA_NODE_ID: 'prod-media-1',
      MEDIA_NODE_KEY: key,
      MEDIA_NODE_CONTROL_HOST: '127.0.0.1',
      MEDIA_NODE_CONTROL_PORT: '0',
      MEDIA_NODE_LISTEN_IP: '127.0.0.1',
      MEDIA_NODE_ANNOUNCED_ADDRESS: '127.0.0.1',
      MEDIA_NODE_RTC_PORT_BASE: String(media.rtcPortBase),
      MEDIA_NODE_WORKERS: '1',
    });
    const ready = await node.line(/^media-node ready /);
    const { controlPort } = JSON.parse(ready.slice('media-node ready '.length)) as { controlPort: number };
    await expectPlainNode(node.child.pid as number, MEDIA_NODE_MAIN);

    const { url, dataDir, env } = await signalingEnv({
      MEDIA_NODES: `http://127.0.0.1:${controlPort}`,
      MEDIA_NODE_KEY: key,
    });
    const signaling = startBuilt(SIGNALING_MAIN, env);
    await waitReady(url, signaling);
    await expectMeetingWorks(url, dataDir);
    // The media ran on the node: its mediasoup worker, none in signaling.
    expect(await mediaWorkerPids(node.child.pid as number)).toHaveLength(1);
    expect(await mediaWorkerPids(signaling.child.pid as number)).toEqual([]);

    expect(await signaling.stop()).toBe(0);
    expect(await node.stop()).toBe(0);
  });

  it('spawns the SIP gateway as built JavaScript, and it connects back with Kamailio running', async () => {
    const rtpMin = await freePortBlock(100);
    const { url, dataDir, env } = await signalingEnv({
      BEACON_SIP: 'on',
      // Kamailio listens on UDP and TCP: a port free on both, outside the kernel's ephemeral range.
      BEACON_SIP_LISTEN: `127.0.0.1:${await freeSipPort()}`,
      BEACON_SIP_WS_PORT: String(await freeTcpPort()),
      BEACON_SIP_RTP_IP: '127.0.0.1',
      BEACON_SIP_RTP_PORT_MIN: String(rtpMin),
      BEACON_SIP_RTP_PORT_MAX: String(rtpMin + 99),
    });
    const signaling = startBuilt(SIGNALING_MAIN, env);
    await waitReady(url, signaling);
    const token = await firstAdminSignIn(url, dataDir);
    const deadline = Date.now() + 45_000;
    let status = await apiJson<SipStatus>(url, token, '/api/v1/sip/status');
    while (!status.available && Date.now() < deadline) {
      await new Promise((resolve) => setTimeout(resolve, 250));
      status = await apiJson<SipStatus>(url, token, '/api/v1/sip/status');
    }
    expect(status, signaling.output()).toMatchObject({ available: true });
    const children = (await readFile(`/proc/${signaling.child.pid}/task/${signaling.child.pid}/children`, 'utf8'))
      .split(/\s+/)
      .filter(Boolean);
    const commands = await Promise.all(
      children.map(async (pid) => (await readFile(`/proc/${pid}/cmdline`, 'utf8')).split('\0').filter(Boolean)),
    );
    expect(commands).toContainEqual([process.execPath, path.join(REPO_ROOT, 'sip-gateway/dist/main.js')]);
    expect(await signaling.stop()).toBe(0);
  });
});
