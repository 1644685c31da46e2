/**
 * Local UDP ports for ffmpeg's RTP inputs. ffmpeg binds the port named in the
 * SDP for RTP and the next one for RTCP, on every address, and gives no sign
 * when it has done so: we pick free pairs from the kernel, and poll
 * /proc/net/udp until ffmpeg holds them so no packet (above all the first key
 * frame) goes to a closed port.
 */
import dgram from 'node:dgram';
import { once } from 'node:events';
import { readFile } from 'node:fs/promises';
import { setTimeout as delay } from 'node:timers/promises';

const MAX_ATTEMPTS = 50;
const POLL_MS = 20;

/**
 * `count` ports P such that P and P+1 are free right now (P from the
 * kernel's ephemeral range, away from mediasoup's configured port ranges).
 * Held until all are found so two pairs never overlap, then released.
 */
export async function reserveUdpPortPairs(count: number): Promise<number[]> {
  const held: dgram.Socket[] = [];
  const ports: number[] = [];
  try {
    for (let attempt = 0; ports.length < count; attempt++) {
      if (attempt >= MAX_ATTEMPTS) throw new Error(`no free UDP port pair after ${MAX_ATTEMPTS} attempts`);
      const rtp = await bind(0);
      if (!rtp) continue;
      held.push(rtp);
      const port = rtp.address().port;
      const rtcp = port < 65_535 ? await bind(port + 1) : null;
      if (!rtcp) continue;
      held.push(rtcp);
      ports.push(port);
    }
    return ports;
  } finally {
    for (const socket of held) socket.close();
  }
}

async function bind(port: number): Promise<dgram.Socket | null> {
  const socket = dgram.createSocket('udp4');
  const outcome = Promise.race([once(socket, 'listening').then(() => true), once(socket, 'error').then(() => false)]);
  socket.bind(port, '0.0.0.0');
  if (await outcome) return socket;
  socket.close();
  return null;
}

/** UDP ports bound on this host right now (IPv4 and IPv6), from procfs. */
async function boundUdpPorts(): Promise<Set<number>> {
  const ports = new Set<number>();
  for (const file of ['/proc/net/udp', '/proc/net/udp6']) {
    const table = await readFile(file, 'utf8').catch(() => '');
    for (const line of table.split('\n').slice(1)) {
      const local = line.trim().split(/\s+/)[1];
      const hexPort = local?.slice(local.lastIndexOf(':') + 1);
      if (hexPort) ports.add(Number.parseInt(hexPort, 16));
    }
  }
  return ports;
}

/**
 * Resolves true once every port is bound, false on timeout (or where procfs
 * is missing: the caller then proceeds and relies on key frame requests).
 */
export async function waitUdpBound(ports: number[], timeoutMs: number, isAlive: () => boolean): Promise<boolean> {
  const deadline = performance.now() + timeoutMs;
  while (performance.now() < deadline && isAlive()) {
    const bound = await boundUdpPorts();
    if (ports.every((port) => bound.has(port))) return true;
    await delay(POLL_MS);
  }
  return false;
}
