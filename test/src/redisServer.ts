/**
 * A throwaway Redis (Debian's redis-server) on a random loopback port, with
 * persistence off: Beacon keeps nothing durable in Redis. `restart()` stops
 * and starts it on the same port, for the "Redis restart" tests.
 */
import { type ChildProcess, spawn, spawnSync } from 'node:child_process';
import { createConnection } from 'node:net';
import { connect as tlsConnect } from 'node:tls';
import { freeTcpPort } from './ports.ts';

export const REDIS_BIN = process.env.BEACON_REDIS_BIN ?? 'redis-server';

function probe(): string | null {
  const result = spawnSync(REDIS_BIN, ['--version'], { encoding: 'utf8' });
  return result.error ? `${REDIS_BIN} not found (apt-get install redis-server)` : null;
}

export const redisUnavailableReason: string | null = probe();

/** Why a TLS Redis cannot run here: Debian's redis-server is built with TLS; a build without says "Bad directive". */
function probeTls(): string | null {
  if (redisUnavailableReason) return redisUnavailableReason;
  // --tls-port 0 listens nowhere: a TLS build reads the options and exits at once.
  const result = spawnSync(REDIS_BIN, ['--port', '0', '--tls-port', '0', '--save', ''], {
    encoding: 'utf8',
    timeout: 5000,
  });
  return /Bad directive|tls/i.test(`${result.stdout}${result.stderr}`) && !/not listen anywhere/.test(result.stdout)
    ? `${REDIS_BIN} was built without TLS`
    : null;
}

export const redisTlsUnavailableReason: string | null = probeTls();

export interface RedisServer {
  url: string;
  port: number;
  stop(): Promise<void>;
  restart(): Promise<void>;
}

/** Files of a TLS-only Redis (`--tls-port`): its certificate and key, and the CA that issued them. */
export interface RedisTlsFiles {
  certFile: string;
  keyFile: string;
  caFile: string;
}

function ping(port: number, tls: boolean): Promise<boolean> {
  return new Promise((resolve) => {
    // Readiness only: the certificate is the client under test's business.
    const socket = tls
      ? tlsConnect({ host: '127.0.0.1', port, rejectUnauthorized: false }, () => socket.write('PING\r\n'))
      : createConnection({ host: '127.0.0.1', port }, () => socket.write('PING\r\n'));
    socket.once('data', (data) => {
      // A server that wants a password answers NOAUTH: it is up all the same.
      resolve(/^(\+PONG|-NOAUTH)/.test(data.toString()));
      socket.destroy();
    });
    socket.once('error', () => resolve(false));
  });
}

/**
 * `args`: more redis-server options, e.g. an ACL user (`--user alice on >pw ~* &* +@all`). `tls`: listen
 * with TLS only (no plain port), clients not asked for certificates; the URL is then rediss://.
 */
export async function startRedis(args: readonly string[] = [], tls?: RedisTlsFiles): Promise<RedisServer> {
  const port = await freeTcpPort();
  const listen = tls
    ? [
        '--port',
        '0',
        '--tls-port',
        String(port),
        '--tls-cert-file',
        tls.certFile,
        '--tls-key-file',
        tls.keyFile,
        '--tls-ca-cert-file',
        tls.caFile,
        '--tls-auth-clients',
        'no',
      ]
    : ['--port', String(port)];
  let child: ChildProcess | null = null;
  let output = '';

  const start = async (): Promise<void> => {
    child = spawn(REDIS_BIN, [...listen, '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no', ...args], {
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    child.stdout?.on('data', (chunk: Buffer) => {
      output += chunk.toString();
    });
    const deadline = Date.now() + 10_000;
    while (!(await ping(port, tls !== undefined))) {
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
    url: `${tls ? 'rediss' : 'redis'}://127.0.0.1:${port}`,
    port,
    stop,
    async restart() {
      await stop();
      await start();
    },
  };
}
