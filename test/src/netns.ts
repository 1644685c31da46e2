/**
 * A network namespace with a veth pair to the host, for a browser on a bad
 * or broken link. DevTools network emulation does not act on WebRTC media
 * (Chromium bug 563644); a namespace with `tc` on its veth does.
 *
 *   host (Beacon, other browsers)          namespace beacon-t<id> (one Chromium)
 *   <hostVeth> 10.203.<n>.1/30  ◀──────────▶  <nsVeth> 10.203.<n>.2/30
 *     egress = the browser's downlink           egress = the browser's uplink
 *
 * Needs root and iproute2. These addresses exist only on the veths created
 * here. This kernel has `tbf` but not `netem`: rate shaping always applies,
 * delay/loss only where netem exists (`shape()` reports what was applied).
 */
import { execFile, spawnSync } from 'node:child_process';
import { chmod, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { CHROMIUM_PATH } from './browser.ts';

const run = promisify(execFile);

function probeNetns(): string | null {
  if (process.getuid?.() !== 0) return 'needs root (ip netns add, tc)';
  const ip = spawnSync('ip', ['netns', 'list'], { encoding: 'utf8' });
  if (ip.error || ip.status !== 0) return `"ip netns" is unavailable: ${ip.error?.message ?? ip.stderr}`;
  const tc = spawnSync('tc', ['-V'], { encoding: 'utf8' });
  if (tc.error || tc.status !== 0) return `"tc" is unavailable: ${tc.error?.message ?? tc.stderr}`;
  return null;
}

/** Why namespaces cannot be used here, or null when they can. */
export const netnsUnavailableReason: string | null = probeNetns();
export const canUseNetns = netnsUnavailableReason === null;

export interface LinkShape {
  /** Rate of the browser's downlink (host veth egress), kbit/s. */
  downlinkKbit?: number;
  /** netem on the browser's uplink (namespace veth egress), where the kernel has netem. */
  delayMs?: number;
  lossPercent?: number;
}

export interface NetnsLink {
  name: string;
  hostIp: string;
  nsIp: string;
  hostVeth: string;
  nsVeth: string;
  /** An executable that runs Chromium inside the namespace (for `launchChromium({ executablePath })`). */
  chromiumWrapper: string;
  /** Applies a shape (replacing the previous one); returns what was applied. */
  shape(shape: LinkShape): Promise<{ downlink: string | null; uplink: string | null; notApplied: string[] }>;
  /** Removes every qdisc this helper added. */
  unshape(): Promise<void>;
  /** Takes the link down (the browser loses every connection) or brings it back. */
  setUp(up: boolean): Promise<void>;
  destroy(): Promise<void>;
}

const live = new Set<NetnsLink>();

async function ip(...args: string[]): Promise<void> {
  await run('ip', args);
}

function usedSubnets(): Set<number> {
  const out = spawnSync('ip', ['-4', '-o', 'addr'], { encoding: 'utf8' }).stdout ?? '';
  const used = new Set<number>();
  for (const match of out.matchAll(/10\.203\.(\d+)\./g)) used.add(Number(match[1]));
  return used;
}

export async function createNetnsLink(): Promise<NetnsLink> {
  if (!canUseNetns) throw new Error(`network namespaces unavailable: ${netnsUnavailableReason}`);
  const id = Math.random().toString(16).slice(2, 8);
  const used = usedSubnets();
  const free = Array.from({ length: 250 }, (_, i) => i + 1).filter((n) => !used.has(n));
  const n = free[Math.floor(Math.random() * free.length)] as number;
  const name = `beacon-t${id}`;
  const hostVeth = `bt${id}h`;
  const nsVeth = `bt${id}n`;
  const hostIp = `10.203.${n}.1`;
  const nsIp = `10.203.${n}.2`;
  const dir = await mkdtemp(join(tmpdir(), 'beacon-netns-'));
  const chromiumWrapper = join(dir, 'chromium-in-netns');

  const destroy = async (): Promise<void> => {
    live.delete(link);
    // Deleting the host end removes the pair; deleting the namespace kills nothing but frees it.
    await ip('link', 'del', hostVeth).catch(() => undefined);
    await ip('netns', 'del', name).catch(() => undefined);
    await rm(dir, { recursive: true, force: true });
  };

  const unshape = async (): Promise<void> => {
    await run('tc', ['qdisc', 'del', 'dev', hostVeth, 'root']).catch(() => undefined);
    await run('ip', ['netns', 'exec', name, 'tc', 'qdisc', 'del', 'dev', nsVeth, 'root']).catch(() => undefined);
  };

  const link: NetnsLink = {
    name,
    hostIp,
    nsIp,
    hostVeth,
    nsVeth,
    chromiumWrapper,
    async shape(shape) {
      await unshape();
      const notApplied: string[] = [];
      let downlink: string | null = null;
      let uplink: string | null = null;
      if (shape.downlinkKbit) {
        // burst ≥ one MTU-sized packet; latency bounds the queue (beyond it tbf drops, as a slow link does).
        const args = ['rate', `${shape.downlinkKbit}kbit`, 'burst', '4kb', 'latency', '300ms'];
        await run('tc', ['qdisc', 'add', 'dev', hostVeth, 'root', 'tbf', ...args]);
        downlink = `tbf ${args.join(' ')}`;
      }
      if (shape.delayMs || shape.lossPercent) {
        const args = [
          ...(shape.delayMs ? ['delay', `${shape.delayMs}ms`] : []),
          ...(shape.lossPercent ? ['loss', `${shape.lossPercent}%`] : []),
        ];
        try {
          await run('ip', ['netns', 'exec', name, 'tc', 'qdisc', 'add', 'dev', nsVeth, 'root', 'netem', ...args]);
          uplink = `netem ${args.join(' ')}`;
        } catch (err) {
          notApplied.push(`netem ${args.join(' ')}: ${(err as { stderr?: string }).stderr?.trim() ?? err}`);
        }
      }
      return { downlink, uplink, notApplied };
    },
    unshape,
    async setUp(up) {
      await ip('link', 'set', hostVeth, up ? 'up' : 'down');
    },
    destroy,
  };
  live.add(link);

  try {
    await ip('netns', 'add', name);
    await ip('link', 'add', hostVeth, 'type', 'veth', 'peer', 'name', nsVeth);
    await ip('link', 'set', nsVeth, 'netns', name);
    await ip('addr', 'add', `${hostIp}/30`, 'dev', hostVeth);
    await ip('link', 'set', hostVeth, 'up');
    const inNs = (...args: string[]) => ip('netns', 'exec', name, 'ip', ...args);
    await inNs('link', 'set', 'lo', 'up');
    await inNs('addr', 'add', `${nsIp}/30`, 'dev', nsVeth);
    await inNs('link', 'set', nsVeth, 'up');
    await inNs('route', 'add', 'default', 'via', hostIp);
    // Playwright talks to Chromium over a pipe (inherited fds), which crosses the namespace boundary.
    await writeFile(chromiumWrapper, `#!/bin/sh\nexec ip netns exec ${name} ${CHROMIUM_PATH} "$@"\n`);
    await chmod(chromiumWrapper, 0o755);
  } catch (err) {
    await destroy();
    throw err;
  }
  return link;
}

/** Removes every namespace this process created and has not destroyed (for afterAll on failure paths). */
export async function destroyAllNetnsLinks(): Promise<void> {
  await Promise.all([...live].map((link) => link.destroy()));
}

process.once('exit', () => {
  for (const link of live) {
    spawnSync('ip', ['link', 'del', link.hostVeth]);
    spawnSync('ip', ['netns', 'del', link.name]);
  }
});
