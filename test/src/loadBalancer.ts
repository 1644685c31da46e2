/**
 * Debian's nginx as the load balancer in front of several signaling nodes,
 * the way a city deploys them: browsers know one address; WebSocket upgrades
 * are proxied (the console uses socket.io's WebSocket transport only, so no
 * sticky sessions are needed); a node that refuses connections is skipped.
 *
 * A browser can prefer a node with the cookie `beacon_node=<index>` (tests
 * spread participants over nodes deterministically); every other node is
 * that pool's backup, so when the preferred node dies the browser's
 * reconnect lands on another one — what a real LB's health check does.
 */
import { type ChildProcess, spawn, spawnSync } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { createConnection } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { freeTcpPort } from './ports.ts';

export const NGINX_BIN = process.env.BEACON_NGINX_BIN ?? '/usr/sbin/nginx';

export const nginxUnavailableReason: string | null =
  spawnSync(NGINX_BIN, ['-v'], { encoding: 'utf8' }).error === undefined
    ? null
    : `${NGINX_BIN} not found (apt-get install nginx-light)`;

export interface LoadBalancer {
  url: string;
  port: number;
  stop(): Promise<void>;
}

function config(dir: string, port: number, upstreams: string[]): string {
  const pools = upstreams
    .map((_, preferred) => {
      const servers = upstreams.map((target, i) => {
        const host = target.replace(/^https?:\/\//, '');
        // fail_timeout short: a node that is back is used again within a few seconds.
        return `    server ${host} max_fails=1 fail_timeout=3s${i === preferred ? '' : ' backup'};`;
      });
      return `  upstream pool_${preferred} {\n${servers.join('\n')}\n  }`;
    })
    .join('\n');
  const cookieMap = upstreams.map((_, i) => `    ${i} pool_${i};`).join('\n');
  return `daemon off;
master_process off;
worker_processes 1;
pid ${dir}/nginx.pid;
error_log ${dir}/error.log warn;
events { worker_connections 1024; }
http {
  access_log off;
  client_body_temp_path ${dir}/body;
  proxy_temp_path ${dir}/proxy;
  fastcgi_temp_path ${dir}/fastcgi;
  uwsgi_temp_path ${dir}/uwsgi;
  scgi_temp_path ${dir}/scgi;
  map $http_upgrade $connection_upgrade { default upgrade; '' close; }
  map $cookie_beacon_node $pool {
    default pool_0;
${cookieMap}
  }
${pools}
  server {
    listen 127.0.0.1:${port};
    client_max_body_size 5m;
    location / {
      proxy_pass http://$pool;
      proxy_http_version 1.1;
      proxy_set_header Upgrade $http_upgrade;
      proxy_set_header Connection $connection_upgrade;
      proxy_set_header Host $host;
      proxy_set_header X-Forwarded-For $proxy_add_x_forwarded_for;
      proxy_connect_timeout 2s;
      proxy_read_timeout 3600s;
      proxy_next_upstream error timeout;
    }
  }
}
`;
}

function listening(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = createConnection({ host: '127.0.0.1', port }, () => {
      socket.destroy();
      resolve(true);
    });
    socket.once('error', () => resolve(false));
  });
}

/** Starts nginx on a free loopback port in front of `upstreams` (http://host:port of each node). */
export async function startLoadBalancer(upstreams: string[]): Promise<LoadBalancer> {
  const dir = await mkdtemp(join(tmpdir(), 'beacon-lb-'));
  const port = await freeTcpPort();
  const file = join(dir, 'nginx.conf');
  await writeFile(file, config(dir, port, upstreams));
  let output = '';
  const child: ChildProcess = spawn(NGINX_BIN, ['-c', file, '-p', dir], { stdio: ['ignore', 'pipe', 'pipe'] });
  child.stderr?.on('data', (chunk: Buffer) => {
    output += chunk.toString();
  });
  const deadline = Date.now() + 10_000;
  while (!(await listening(port))) {
    if (child.exitCode !== null || Date.now() > deadline) {
      child.kill('SIGKILL');
      await rm(dir, { recursive: true, force: true });
      throw new Error(`nginx did not start: ${output}`);
    }
    await new Promise((r) => setTimeout(r, 50));
  }
  return {
    url: `http://127.0.0.1:${port}`,
    port,
    async stop() {
      if (child.exitCode === null) {
        const exited = new Promise((resolve) => child.once('exit', resolve));
        child.kill('SIGTERM');
        await exited;
      }
      await rm(dir, { recursive: true, force: true });
    },
  };
}
