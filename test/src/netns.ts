/**
 * A township's link for cross-service tests: a browser in its own network
 * namespace, reaching the host through a middle namespace where linkemu (a
 * userspace link emulator, test/tools/linkemu) bridges the two veth pairs and
 * applies delay, loss, rate, cuts and UDP blocking per direction. DevTools
 * network emulation does not act on WebRTC media (Chromium bug 563644), and
 * this kernel has `tbf` but no `netem`, hence the emulator.
 *
 *   host (Beacon, other browsers)     beacon-l<id> (no addresses)        beacon-t<id> (one Chromium)
 *   <hostVeth> 10.203.<n>.1/30 ◀──▶ bt<id>a ═[linkemu]═ bt<id>b ◀──▶ <nsVeth> 10.203.<n>.2/30
 *                                    down: host → browser ═▶
 *                                    up:   browser → host ◀═
 *
 * The two /30 addresses are on one Ethernet segment (linkemu is an L2
 * bridge: ARP, IPv4, IPv6 pass), so the browser's default route is the host.
 * Offloads are off on all four veth ends so frames are wire-sized.
 * Needs root, iproute2 and gcc (linkemu is compiled on first use). These
 * addresses exist only on the veths created here.
 */
import { execFile, spawnSync } from 'node:child_process';
import { chmod, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { CHROMIUM_PATH } from './browser.ts';
import {
  type DirectionCounters,
  disableOffloads,
  LinkEmulator,
  linkemuBinary,
  linkemuUnavailableReason,
} from './linkEmulator.ts';

const run = promisify(execFile);

function probeNetns(): string | null {
  if (process.getuid?.() !== 0) return 'needs root (ip netns add)';
  const ip = spawnSync('ip', ['netns', 'list'], { encoding: 'utf8' });
  if (ip.error || ip.status !== 0) return `"ip netns" is unavailable: ${ip.error?.message ?? ip.stderr}`;
  return linkemuUnavailableReason();
}

/** Why namespaces cannot be used here, or null when they can. */
export const netnsUnavailableReason: string | null = probeNetns();
export const canUseNetns = netnsUnavailableReason === null;

/** A link's shape; absent fields are "perfect" (unlimited rate, no delay, no loss). */
export interface LinkShape {
  /** Rate towards the browser, kbit/s. */
  downlinkKbit?: number;
  /** Rate from the browser, kbit/s. */
  uplinkKbit?: number;
  /** One-way delay in each direction, ms (the round trip is twice this). */
  delayMs?: number;
  /** ± jitter around the delay, ms (frames stay in order). */
  jitterMs?: number;
  /** Random loss in each direction, percent. */
  lossPercent?: number;
  /** Queue in front of each rate limit, ms at that rate; beyond it frames drop (default 300). */
  queueMs?: number;
}

/** Bytes through the link. */
export interface LinkCounters {
  /** The host veth's kernel counters: rx = arrived from the browser, tx = sent towards it (before the link's losses). */
  host: { rxBytes: number; txBytes: number; rxPackets: number; txPackets: number };
  /** linkemu's view: rx = offered to the link, tx = delivered across it, drops by cause. */
  down: DirectionCounters;
  up: DirectionCounters;
}

export interface NetnsLink {
  /** The browser's namespace. */
  name: string;
  /** The middle namespace where linkemu runs. */
  linkNamespace: string;
  hostIp: string;
  nsIp: string;
  hostVeth: string;
  nsVeth: string;
  /** An executable that runs Chromium inside the namespace (for `launchChromium({ executablePath })`). */
  chromiumWrapper: string;
  /** Applies a shape (replacing the previous one); returns linkemu's summary per direction. */
  shape(shape: LinkShape): Promise<{ downlink: string; uplink: string }>;
  /** Back to a perfect link (a cut or UDP block stays as it is). */
  unshape(): Promise<void>;
  /** false: the link is cut (every frame dropped both ways, in-flight ones too); true: restored. */
  setUp(up: boolean): Promise<void>;
  /** Drops UDP from the browser to `toAddress` (and back); every UDP datagram when omitted. */
  blockUdp(toAddress?: string): Promise<void>;
  unblockUdp(): Promise<void>;
  counters(): Promise<LinkCounters>;
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

async function hostCounters(veth: string): Promise<LinkCounters['host']> {
  const read = async (name: string) =>
    Number(await readFile(`/sys/class/net/${veth}/statistics/${name}`, 'utf8').catch(() => '0'));
  const [rxBytes, txBytes, rxPackets, txPackets] = await Promise.all(
    ['rx_bytes', 'tx_bytes', 'rx_packets', 'tx_packets'].map(read),
  );
  return { rxBytes: rxBytes ?? 0, txBytes: txBytes ?? 0, rxPackets: rxPackets ?? 0, txPackets: txPackets ?? 0 };
}

/**
 * Beacon's environment for a test whose browser sits behind `link`: signaling
 * and media listen on every interface and media announces the host side of
 * the link, the address the namespace reaches.
 */
export function reachableThrough(link: Pick<NetnsLink, 'hostIp'>): Record<string, string> {
  return { BEACON_HOST: '0.0.0.0', MEDIA_LISTEN_IP: '0.0.0.0', MEDIA_ANNOUNCED_ADDRESS: link.hostIp };
}

export async function createNetnsLink(): Promise<NetnsLink> {
  if (!canUseNetns) throw new Error(`network namespaces unavailable: ${netnsUnavailableReason}`);
  await linkemuBinary();
  const id = Math.random().toString(16).slice(2, 8);
  const used = usedSubnets();
  const free = Array.from({ length: 250 }, (_, i) => i + 1).filter((n) => !used.has(n));
  const n = free[Math.floor(Math.random() * free.length)] as number;
  const name = `beacon-t${id}`;
  const linkNamespace = `beacon-l${id}`;
  const hostVeth = `bt${id}h`;
  const nsVeth = `bt${id}n`;
  const linkHostSide = `bt${id}a`;
  const linkBrowserSide = `bt${id}b`;
  const hostIp = `10.203.${n}.1`;
  const nsIp = `10.203.${n}.2`;
  const dir = await mkdtemp(join(tmpdir(), 'beacon-netns-'));
  const chromiumWrapper = join(dir, 'chromium-in-netns');
  let emulator: LinkEmulator | undefined;

  const destroy = async (): Promise<void> => {
    live.delete(link);
    await emulator?.stop();
    // Deleting one end removes its pair; deleting the namespaces frees the names.
    await ip('link', 'del', hostVeth).catch(() => undefined);
    await ip('netns', 'exec', linkNamespace, 'ip', 'link', 'del', linkBrowserSide).catch(() => undefined);
    await ip('netns', 'del', linkNamespace).catch(() => undefined);
    await ip('netns', 'del', name).catch(() => undefined);
    await rm(dir, { recursive: true, force: true });
  };

  const running = (): LinkEmulator => {
    if (!emulator) throw new Error(`link ${name} is not set up`);
    return emulator;
  };

  const link: NetnsLink = {
    name,
    linkNamespace,
    hostIp,
    nsIp,
    hostVeth,
    nsVeth,
    chromiumWrapper,
    async shape(shape) {
      const both = {
        delayMs: shape.delayMs ?? 0,
        jitterMs: shape.jitterMs ?? 0,
        lossPercent: shape.lossPercent ?? 0,
        queueMs: shape.queueMs ?? 300,
      };
      await running().set('down', { ...both, rateKbit: shape.downlinkKbit ?? 0 });
      const summary = await running().set('up', { ...both, rateKbit: shape.uplinkKbit ?? 0 });
      const [downlink = '', uplink = ''] = summary.replace(/^set down /, '').split('; up ');
      return { downlink, uplink };
    },
    async unshape() {
      await link.shape({});
    },
    async setUp(up) {
      await running().cut(!up);
    },
    async blockUdp(toAddress) {
      await running().blockUdp(toAddress ?? 'any');
    },
    async unblockUdp() {
      await running().blockUdp(null);
    },
    async counters() {
      const [host, stats] = await Promise.all([hostCounters(hostVeth), running().stats()]);
      return { host, down: stats.down, up: stats.up };
    },
    destroy,
  };
  live.add(link);

  try {
    await ip('netns', 'add', name);
    await ip('netns', 'add', linkNamespace);
    const inNs = (ns: string, ...args: string[]) => ip('netns', 'exec', ns, ...args);
    // The bridge's own kernel stays silent: no addresses, no IPv6 autoconfiguration on its ports.
    await inNs(
      linkNamespace,
      'sysctl',
      '-qw',
      'net.ipv6.conf.all.disable_ipv6=1',
      'net.ipv6.conf.default.disable_ipv6=1',
    );
    await ip('link', 'add', hostVeth, 'type', 'veth', 'peer', 'name', linkHostSide, 'netns', linkNamespace);
    await ip(
      'link',
      'add',
      nsVeth,
      'netns',
      name,
      'type',
      'veth',
      'peer',
      'name',
      linkBrowserSide,
      'netns',
      linkNamespace,
    );
    await ip('addr', 'add', `${hostIp}/30`, 'dev', hostVeth);
    await disableOffloads(null, hostVeth);
    await disableOffloads(name, nsVeth);
    await ip('link', 'set', hostVeth, 'up');
    for (const port of ['lo', linkHostSide, linkBrowserSide])
      await inNs(linkNamespace, 'ip', 'link', 'set', port, 'up');
    await inNs(name, 'ip', 'link', 'set', 'lo', 'up');
    await inNs(name, 'ip', 'addr', 'add', `${nsIp}/30`, 'dev', nsVeth);
    await inNs(name, 'ip', 'link', 'set', nsVeth, 'up');
    await inNs(name, 'ip', 'route', 'add', 'default', 'via', hostIp);
    emulator = await LinkEmulator.start({ netns: linkNamespace, hostSide: linkHostSide, browserSide: linkBrowserSide });
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

// linkemu itself is killed by linkEmulator.ts's own exit handler (and quits when its stdin closes).
process.once('exit', () => {
  for (const link of live) {
    spawnSync('ip', ['link', 'del', link.hostVeth]);
    spawnSync('ip', ['netns', 'del', link.linkNamespace]);
    spawnSync('ip', ['netns', 'del', link.name]);
  }
});
