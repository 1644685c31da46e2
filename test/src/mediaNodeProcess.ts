/**
 * A standalone media node (media-server/src/node/main.ts) as a child process
 * on loopback, for cascade tests and the bench.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { once } from 'node:events';
import os from 'node:os';
import path from 'node:path';
import { loopbackOptions } from '@beacon/media-server/testing';
import { REPO_ROOT } from './beaconProcess.ts';

export interface MediaNodeProcess {
  nodeId: string;
  region: string;
  /** Control URL for RemoteMediaControl. */
  url: string;
  child: ChildProcess;
  /** Pids of the node process (its workers are its children). */
  pid: number;
  /** SIGTERM and wait for exit. */
  stop(): Promise<void>;
  /** SIGKILL (a crash): the node and its workers vanish without goodbye. */
  kill(): Promise<void>;
}

/** A random pre-shared key for one test run. */
export function mediaNodeKey(): string {
  return randomBytes(24).toString('hex');
}

export async function startMediaNode(opts: {
  nodeId: string;
  region: string;
  key: string;
  workers?: number;
  /** Extra environment (e.g. MEDIA_NODE_CLIENT_GRACE_MS). */
  env?: Record<string, string>;
}): Promise<MediaNodeProcess> {
  const media = await loopbackOptions(opts.workers ?? 1);
  const child = spawn(process.execPath, ['--import', 'tsx', 'media-server/src/node/main.ts'], {
    cwd: REPO_ROOT,
    env: {
      ...process.env,
      LOG_LEVEL: process.env.LOG_LEVEL ?? 'warn',
      MEDIA_NODE_ID: opts.nodeId,
      MEDIA_NODE_REGION: opts.region,
      MEDIA_NODE_KEY: opts.key,
      MEDIA_NODE_CONTROL_HOST: '127.0.0.1',
      MEDIA_NODE_CONTROL_PORT: '0',
      MEDIA_NODE_LISTEN_IP: '127.0.0.1',
      MEDIA_NODE_ANNOUNCED_ADDRESS: '127.0.0.1',
      MEDIA_NODE_RTC_PORT_BASE: String(media.rtcPortBase),
      MEDIA_NODE_PLAIN_PORT_MIN: String(media.plainPortRange?.min ?? 30_000),
      MEDIA_NODE_PLAIN_PORT_MAX: String(media.plainPortRange?.max ?? 32_000),
      MEDIA_NODE_WORKERS: String(opts.workers ?? 1),
      // Never the default ./recordings, which would be inside the repository (created only if a test records).
      MEDIA_NODE_RECORDINGS_DIR: path.join(os.tmpdir(), `beacon-node-recordings-${opts.nodeId}-${process.pid}`),
      // The tests' RTP sinks bind ports the kernel picks, not a gateway's RTP range (default 42000-42999).
      MEDIA_NODE_PLAIN_TARGET_PORTS: '1024-65535',
      ...opts.env,
    },
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  const controlPort = await new Promise<number>((resolve, reject) => {
    let buffered = '';
    const timer = setTimeout(() => reject(new Error(`media node ${opts.nodeId} did not start in 30 s`)), 30_000);
    child.once('exit', (code) => reject(new Error(`media node ${opts.nodeId} exited with ${code}`)));
    child.stdout?.on('data', (chunk: Buffer) => {
      buffered += chunk.toString();
      const match = /media-node ready (\{.*\})/.exec(buffered);
      if (!match?.[1]) return;
      clearTimeout(timer);
      resolve((JSON.parse(match[1]) as { controlPort: number }).controlPort);
    });
  }).catch(async (error: unknown) => {
    child.kill('SIGKILL');
    throw error;
  });
  // Keep draining stdout (pino logs) so the child never blocks on a full pipe.
  child.stdout?.resume();
  const exited = child.exitCode !== null ? Promise.resolve() : once(child, 'exit').then(() => undefined);
  const signal = async (name: NodeJS.Signals) => {
    if (child.exitCode === null && child.signalCode === null) child.kill(name);
    await exited;
  };
  return {
    nodeId: opts.nodeId,
    region: opts.region,
    // With the node's certificate the control port is HTTPS (mutual TLS).
    url: `${opts.env?.MEDIA_NODE_TLS_CERT ? 'https' : 'http'}://127.0.0.1:${controlPort}`,
    child,
    pid: child.pid ?? 0,
    stop: () => signal('SIGTERM'),
    kill: () => signal('SIGKILL'),
  };
}
