/**
 * A throwaway PostgreSQL server for tests and benches: Debian's postgresql
 * binaries, a fresh cluster in a temporary directory (trust auth, C locale so
 * text sorts like SQLite's), listening on a free port on 127.0.0.1 only, its
 * socket in the same directory. Removed by `stop()`. PostgreSQL refuses to
 * run as root, so as root every command runs as the `postgres` user.
 */
import { execFile } from 'node:child_process';
import { chownSync, existsSync, mkdtempSync, rmSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { createServer } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import pg from 'pg';

const run = promisify(execFile);

/** Debian's layout; BEACON_PG_BIN points elsewhere. */
const BIN_DIR = process.env.BEACON_PG_BIN ?? '/usr/lib/postgresql/15/bin';
const SUPERUSER = 'beacon';

export interface PostgresServer {
  readonly port: number;
  /** A postgres:// URL for `database`. */
  url(database: string): string;
  /** Creates an empty database and returns its URL. */
  createDatabase(name: string): Promise<string>;
  /** Stops the server at once and deletes its files. Idempotent. */
  stop(): Promise<void>;
  /** Kills the postmaster with SIGKILL, as a crash would (fault runs); its files stay. */
  kill(): Promise<void>;
  /** Starts the server again on its files and port, as a service manager would after `kill`. */
  restart(): Promise<void>;
}

/** Why PostgreSQL cannot be started here, or undefined when it can. */
export function postgresUnavailableReason(): string | undefined {
  if (!existsSync(path.join(BIN_DIR, 'pg_ctl'))) return `PostgreSQL not installed (no ${BIN_DIR}/pg_ctl)`;
  return undefined;
}

const isRoot = () => process.getuid?.() === 0;

function asServerUser(command: string, args: string[]) {
  const file = path.join(BIN_DIR, command);
  return isRoot() ? run('runuser', ['-u', 'postgres', '--', file, ...args]) : run(file, args);
}

async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      server.close(() => resolve(typeof address === 'object' && address ? address.port : 0));
    });
  });
}

export async function startPostgres(): Promise<PostgresServer> {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'beacon-pg-'));
  const data = path.join(dir, 'data');
  if (isRoot()) chownSync(dir, Number((await run('id', ['-u', 'postgres'])).stdout), 0);
  let port = 0;
  let stopped = false;
  const stop = async () => {
    if (stopped) return;
    stopped = true;
    await asServerUser('pg_ctl', ['-D', data, '-m', 'immediate', 'stop']).catch(() => {});
    rmSync(dir, { recursive: true, force: true });
  };
  try {
    await asServerUser('initdb', [
      '-D',
      data,
      '--auth=trust',
      `--username=${SUPERUSER}`,
      '--encoding=UTF8',
      '--locale=C',
      '--no-sync',
    ]);
    // The port is free when chosen but may be taken before the server binds it: try again with another.
    for (let attempt = 1; ; attempt++) {
      port = await freePort();
      const options = `-p ${port} -c listen_addresses=127.0.0.1 -k ${dir}`;
      try {
        await asServerUser('pg_ctl', ['-D', data, '-o', options, '-l', path.join(dir, 'server.log'), '-w', 'start']);
        break;
      } catch (err) {
        if (attempt >= 3) throw err;
      }
    }
  } catch (err) {
    await stop();
    throw err;
  }
  const url = (database: string) => `postgres://${SUPERUSER}@127.0.0.1:${port}/${database}`;
  const options = () => `-p ${port} -c listen_addresses=127.0.0.1 -k ${dir}`;
  return {
    port,
    url,
    kill: async () => {
      const pid = Number.parseInt((await readFile(path.join(data, 'postmaster.pid'), 'utf8')).split('\n')[0] ?? '', 10);
      process.kill(pid, 'SIGKILL');
    },
    restart: async () => {
      // Backends of the killed postmaster exit when they notice its death; until then the start is refused.
      for (let attempt = 1; ; attempt++) {
        try {
          await asServerUser('pg_ctl', [
            '-D',
            data,
            '-o',
            options(),
            '-l',
            path.join(dir, 'server.log'),
            '-w',
            'start',
          ]);
          return;
        } catch (err) {
          if (attempt >= 50) throw err;
          await new Promise((resolve) => setTimeout(resolve, 200));
        }
      }
    },
    createDatabase: async (name) => {
      const admin = new pg.Client({ connectionString: url('postgres') });
      await admin.connect();
      try {
        await admin.query(`CREATE DATABASE ${pg.escapeIdentifier(name)}`);
      } finally {
        await admin.end();
      }
      return url(name);
    },
    stop,
  };
}
