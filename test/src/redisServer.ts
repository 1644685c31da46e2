/**
 * A throwaway Redis (Debian's redis-server) on a random loopback port, with
 * persistence off: Beacon keeps nothing durable in Redis. `restart()` stops
 * and starts it on the same port, for the "Redis restart" tests.
 */
import { type ChildProcess, spawn, spawnSync } from 'node:child_process';
import { createConnection } from 'node:net';
import { freeTcpPort } from './ports.ts';

export const REDIS_BIN = process.env.BEACON_REDIS_BIN ?? 'redis-server';

function probe(): string | null {
  const result = spawnSync(REDIS_BIN, ['--version'], { encoding: 'utf8' });
  return result.error ? `${REDIS_BIN} not found (apt-get install redis-server)` : null;
}

export const redisUnavailableReason: string | null = probe();

export interface RedisServer {
  url: string;
  port: number;
  stop(): Promise<void>;
  restart(): Promise<void>;
}

function ping(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = createConnection({ host: '127.0.0.1', port }, () => socket.write('PING\r\n'));
    socket.once('data', (data) => {
      // A server that wants a password answers NOAUTH: it is up all the same.
      resolve(/^(\+PONG|-NOAUTH)/.test(data.toString()));
      socket.destroy();
    });
    socket.once('error', () => resolve(false));
  });
}

/** `args`: more redis-server options, e.g. an ACL user (`--user alice on >pw ~* &* +@all`). */
export async function startRedis(args: readonly string[] = []): Promise<RedisServer> {
  const port = await freeTcpPort();
  let child: ChildProcess | null = null;
  let output = '';

  const start = async (): Promise<void> => {
    child = spawn(
      REDIS_BIN,
      ['--port', String(port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no', ...args],
      {
        stdio: ['ignore', 'pipe', 'pipe'],
      },
    );
    child.stdout?.on('data', (chunk: Buffer) => {
      output += chunk.toString();
    });
    const deadline = Date.now() + 10_000;
    while (!(await ping(port))) {
      if (Date.now() > deadline) throw new Error(`redis-server did not start on ${port}:\n${output}`);
      await new Promise((r) => setTimeout(r, 50));
    }
  };
  const stop = async (): Promise<void> => {
    const running = child as ChildProcess | null;
    if (!running || running.exitCode !== null) return;
    const exited = new Promise((resolve) => running.once('exit', resolve));
    running.kill('SIGKILL');
    await exited;
  };
  await start();
  return {
    url: `redis://127.0.0.1:${port}`,
    port,
    stop,
    async restart() {
      await stop();
      await start();
    },
  };
}
