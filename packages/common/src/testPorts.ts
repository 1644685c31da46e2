/**
 * Test ports (`@beacon/common/test-ports`), shared by every workspace's tests
 * and benches. Not for production code.
 */
import dgram from 'node:dgram';
import { once } from 'node:events';
import fs from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';

/**
 * How every test and bench picks ports (test/src/ports.ts re-exports this
 * for the cross-service tests), so that two test files — or two developers'
 * runs on one machine — never agree on a port:
 *
 * - 20000-29999: port blocks a server is told to use (a WebRtcServer's base,
 *   the SIP gateway's RTP range, coturn's relay range): `freePortBlock`, a
 *   random block whose ports are free on UDP and TCP right now.
 * - 30000-32000: plain and pipe transports of every test media server,
 *   shared (mediasoup skips ports in use).
 * - 32768 and up: Linux's ephemeral range. Only the kernel picks there (bind
 *   to port 0); a fixed pick in it collides with anyone's bind(0), and with
 *   the outgoing sockets of the test itself.
 */
export const TEST_PORT_BLOCKS = { min: 20_000, max: 29_999 } as const;
export const TEST_PLAIN_PORTS = { min: 30_000, max: 32_000 } as const;

/** Ports this process has handed out: never handed out again by this process. */
const handedOut = new Set<number>();

/** The first of `count` consecutive ports in TEST_PORT_BLOCKS, each free on UDP and TCP (an even port: RTP likes them). */
export async function freePortBlock(count = 1): Promise<number> {
  const span = TEST_PORT_BLOCKS.max - TEST_PORT_BLOCKS.min + 1 - count;
  for (let attempt = 0; attempt < 50; attempt++) {
    const base = TEST_PORT_BLOCKS.min + 2 * Math.floor((Math.random() * span) / 2);
    const ports = Array.from({ length: count }, (_, i) => base + i);
    // A block handed out earlier in this process may not be bound yet (its server is still starting):
    // "free right now" would hand it out twice.
    if (ports.some((port) => handedOut.has(port))) continue;
    if (!(await Promise.all(ports.map(portFree))).every(Boolean)) continue;
    // Another test process (vitest runs files in parallel workers) may have found the same block free a moment
    // ago and not bound it yet: claim the block across processes before handing it out.
    if (!claimAcrossProcesses(ports)) continue;
    for (const port of ports) handedOut.add(port);
    return base;
  }
  throw new Error(`no ${count} free ports in a row found in ${TEST_PORT_BLOCKS.min}-${TEST_PORT_BLOCKS.max}`);
}

/**
 * Claims below `os.tmpdir()/beacon-test-ports`: one file per port, created exclusively, holding the claiming
 * process's pid. A claim is void once its process has exited (or after CLAIM_TTL_MS, in case the pid was
 * reused). This process's claims are removed when it exits.
 */
const CLAIM_DIR = path.join(os.tmpdir(), 'beacon-test-ports');
const CLAIM_TTL_MS = 6 * 3_600_000;
const myClaims: string[] = [];

function claimAcrossProcesses(ports: number[]): boolean {
  fs.mkdirSync(CLAIM_DIR, { recursive: true });
  const claimed: string[] = [];
  for (const port of ports) {
    const file = path.join(CLAIM_DIR, String(port));
    if (!claimFile(file)) {
      for (const own of claimed) fs.rmSync(own, { force: true });
      return false;
    }
    claimed.push(file);
  }
  if (myClaims.length === 0) {
    process.once('exit', () => {
      for (const file of myClaims) fs.rmSync(file, { force: true });
    });
  }
  myClaims.push(...claimed);
  return true;
}

function claimFile(file: string): boolean {
  try {
    fs.writeFileSync(file, String(process.pid), { flag: 'wx' });
    return true;
  } catch {
    // Taken: void if its owner is gone or the claim is old, then one more try.
    try {
      const owner = Number(fs.readFileSync(file, 'utf8'));
      const old = Date.now() - fs.statSync(file).mtimeMs > CLAIM_TTL_MS;
      if (!old && processAlive(owner)) return false;
      fs.rmSync(file, { force: true });
      fs.writeFileSync(file, String(process.pid), { flag: 'wx' });
      return true;
    } catch {
      return false;
    }
  }
}

function processAlive(pid: number): boolean {
  if (!Number.isInteger(pid) || pid <= 0) return false;
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}

async function portFree(port: number): Promise<boolean> {
  // Listen for the outcome before binding: 'listening' may fire before we would await it. events.once()
  // rejects on 'error' while it waits for 'listening': a port in use is an answer (false), not a throw.
  const outcome = (emitter: dgram.Socket | net.Server) =>
    once(emitter, 'listening').then(
      () => true,
      () => false,
    );
  const udp = dgram.createSocket('udp4');
  const tcp = net.createServer();
  const udpBound = outcome(udp);
  const tcpBound = outcome(tcp);
  udp.bind(port, '127.0.0.1');
  tcp.listen(port, '127.0.0.1');
  const [udpFree, tcpFree] = await Promise.all([udpBound, tcpBound]);
  if (udpFree) udp.close();
  if (tcpFree) tcp.close();
  return udpFree && tcpFree;
}

/** A SIP listen port for a test Kamailio: free on UDP and TCP, outside the kernel's ephemeral range. */
export function freeSipPort(): Promise<number> {
  return freePortBlock(1);
}
