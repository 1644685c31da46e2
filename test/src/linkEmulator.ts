/**
 * Driver for linkemu (test/tools/linkemu/linkemu.c), the userspace link
 * emulator that stands in for `tc netem`, which this kernel lacks. Compiles
 * it with gcc on first use (cached by source hash under the Beacon cache
 * directory), runs it inside a namespace and talks to it over its stdin and
 * stdout: one command line, one reply line. linkemu exits when its stdin
 * closes, so it dies with the test process even on SIGKILL.
 */
import { type ChildProcess, execFile, spawn, spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync } from 'node:fs';
import { mkdir, readFile, rename, rm } from 'node:fs/promises';
import { homedir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { promisify } from 'node:util';
import { REPO_ROOT } from './beaconProcess.ts';

const run = promisify(execFile);

export const LINKEMU_SOURCE = join(REPO_ROOT, 'test/tools/linkemu/linkemu.c');
const CACHE_DIR =
  process.env.BEACON_CACHE_DIR ?? join(process.env.XDG_CACHE_HOME ?? join(homedir(), '.cache'), 'beacon');

/** Why linkemu cannot be built here, or null when it can (gcc present or a cached build exists). */
export function linkemuUnavailableReason(): string | null {
  if (!existsSync(LINKEMU_SOURCE)) return `missing ${LINKEMU_SOURCE}`;
  const gcc = spawnSync('gcc', ['--version'], { encoding: 'utf8' });
  if (gcc.error || gcc.status !== 0) return 'gcc is unavailable (apt-get install gcc libc6-dev) to build linkemu';
  return null;
}

let binary: Promise<string> | undefined;

/** The compiled emulator, built once per source version. */
export function linkemuBinary(): Promise<string> {
  binary ??= (async () => {
    const source = await readFile(LINKEMU_SOURCE);
    const hash = createHash('sha256').update(source).digest('hex').slice(0, 16);
    const path = join(CACHE_DIR, `linkemu-${hash}`);
    if (existsSync(path)) return path;
    await mkdir(CACHE_DIR, { recursive: true });
    // Build beside the target and rename: parallel test files never run a half-written binary.
    const tmp = `${path}.${process.pid}.tmp`;
    try {
      await run('gcc', ['-O2', '-Wall', '-Wextra', '-Werror', '-o', tmp, LINKEMU_SOURCE]);
      await rename(tmp, path);
    } finally {
      await rm(tmp, { force: true });
    }
    return path;
  })();
  binary.catch(() => {
    binary = undefined;
  });
  return binary;
}

/** Runs `argv` inside network namespace `netns` (or here when null). */
function inNamespace(netns: string | null, argv: string[]): [string, string[]] {
  return netns ? ['ip', ['netns', 'exec', netns, ...argv]] : [argv[0] as string, argv.slice(1)];
}

/**
 * Turns off checksum and segmentation offloads on a veth end: with them on,
 * the bridge would see 64 KB TCP "frames", which a 300 kbit/s link with a
 * short queue can never carry, and per-frame loss would hit 40 segments at once.
 */
export async function disableOffloads(netns: string | null, ...ifnames: string[]): Promise<void> {
  const [cmd, args] = inNamespace(netns, [await linkemuBinary(), '--no-offload', ...ifnames]);
  await run(cmd, args);
}

/** One direction of the link; every field optional, absent = unchanged (`set`) or the default. */
export interface DirectionParams {
  /** Rate, kbit/s; 0 = unlimited (default). */
  rateKbit?: number;
  /** One-way delay, ms (default 0). */
  delayMs?: number;
  /** Uniform jitter ± ms around the delay; frames keep their order (default 0). */
  jitterMs?: number;
  /** Random loss, percent of frames (default 0). */
  lossPercent?: number;
  /** Queue in front of the rate limit, in ms of the rate; beyond it frames drop (default 300). */
  queueMs?: number;
  /** Token bucket size, bytes (default 1600: about one full frame, like a serial link). */
  burstBytes?: number;
}

export interface DirectionCounters {
  rxFrames: number;
  rxBytes: number;
  txFrames: number;
  txBytes: number;
  dropLoss: number;
  dropQueue: number;
  dropCut: number;
  dropBlocked: number;
  dropSend: number;
  dropInFlight: number;
  queuedBytes: number;
  inFlightFrames: number;
}

/** `down` = host → browser, `up` = browser → host; bytes are Ethernet frame bytes. */
export interface EmulatorStats {
  down: DirectionCounters;
  up: DirectionCounters;
  cut: boolean;
  /** Frames the kernel dropped because linkemu read too slowly (should stay 0). */
  socketDrops: number;
}

const PARAM_KEYS: Record<keyof DirectionParams, string> = {
  rateKbit: 'rate',
  delayMs: 'delay',
  jitterMs: 'jitter',
  lossPercent: 'loss',
  queueMs: 'queue',
  burstBytes: 'burst',
};

export class LinkEmulatorError extends Error {
  constructor(
    readonly code: 'EMULATOR_EXITED' | 'COMMAND_REJECTED' | 'START_FAILED',
    message: string,
  ) {
    super(message);
    this.name = 'LinkEmulatorError';
  }
}

const live = new Set<ChildProcess>();

export class LinkEmulator {
  readonly #child: ChildProcess;
  readonly #pending: { resolve(line: string): void; reject(err: Error): void }[] = [];
  readonly #exited: Promise<void>;
  #stderr = '';

  private constructor(child: ChildProcess) {
    this.#child = child;
    live.add(child);
    child.stderr?.on('data', (chunk: Buffer) => {
      this.#stderr = (this.#stderr + chunk.toString()).slice(-4000);
    });
    createInterface({ input: child.stdout as NodeJS.ReadableStream }).on('line', (line) => {
      this.#pending.shift()?.resolve(line);
    });
    this.#exited = new Promise((resolve) =>
      child.once('exit', (code, signal) => {
        live.delete(child);
        const err = new LinkEmulatorError(
          'EMULATOR_EXITED',
          `linkemu exited (${code ?? signal}): ${this.#stderr.trim()}`,
        );
        for (const waiter of this.#pending.splice(0)) waiter.reject(err);
        resolve();
      }),
    );
    // A write after the process died must reject the command, not crash the test run.
    child.stdin?.on('error', () => undefined);
  }

  /**
   * Starts linkemu in `netns`, bridging `hostSide` (frames from the host =
   * "down") and `browserSide` ("up"). Resolves once both sockets are bound.
   */
  static async start(opts: { netns: string; hostSide: string; browserSide: string; seed?: number }) {
    const [cmd, args] = inNamespace(opts.netns, [
      await linkemuBinary(),
      opts.hostSide,
      opts.browserSide,
      ...(opts.seed === undefined ? [] : ['--seed', String(opts.seed)]),
    ]);
    const emulator = new LinkEmulator(spawn(cmd, args, { stdio: ['pipe', 'pipe', 'pipe'] }));
    const ready = await new Promise<string>((resolve, reject) => emulator.#pending.push({ resolve, reject })).catch(
      (err: Error) => err.message,
    );
    if (ready !== 'ready') {
      await emulator.stop();
      throw new LinkEmulatorError('START_FAILED', `linkemu did not start: ${ready}`);
    }
    return emulator;
  }

  /** Sends one command; resolves with the text after "ok ". */
  async command(line: string): Promise<string> {
    if (this.#child.exitCode !== null || this.#child.signalCode !== null) {
      throw new LinkEmulatorError('EMULATOR_EXITED', `linkemu is not running: ${this.#stderr.trim()}`);
    }
    const reply = new Promise<string>((resolve, reject) => this.#pending.push({ resolve, reject }));
    this.#child.stdin?.write(`${line}\n`);
    const text = await reply;
    if (!text.startsWith('ok')) throw new LinkEmulatorError('COMMAND_REJECTED', `linkemu: "${line}" → ${text}`);
    return text.slice(3);
  }

  /** Changes the given parameters of one or both directions; returns linkemu's summary of both. */
  set(direction: 'up' | 'down' | 'both', params: DirectionParams): Promise<string> {
    const pairs = Object.entries(params)
      .filter(([, value]) => value !== undefined)
      .map(([key, value]) => `${PARAM_KEYS[key as keyof DirectionParams]}=${value}`);
    return this.command(`set ${direction} ${pairs.join(' ')}`);
  }

  /** Cut: every frame dropped both ways, including those in flight; or restored. */
  async cut(on: boolean): Promise<void> {
    await this.command(`cut ${on ? 'on' : 'off'}`);
  }

  /** Drops UDP to (up) and from (down) `address` ('any' = all UDP); null lifts the block. */
  async blockUdp(address: string | null): Promise<void> {
    await this.command(`block-udp ${address ?? 'off'}`);
  }

  async stats(): Promise<EmulatorStats> {
    return JSON.parse(await this.command('stats')) as EmulatorStats;
  }

  /** Asks linkemu to quit (closing stdin), SIGKILL after 2 s. */
  async stop(): Promise<void> {
    if (this.#child.exitCode === null && this.#child.signalCode === null) {
      this.#child.stdin?.end();
      const timer = setTimeout(() => this.#child.kill('SIGKILL'), 2_000);
      await this.#exited;
      clearTimeout(timer);
    }
  }
}

process.once('exit', () => {
  for (const child of live) child.kill('SIGKILL');
});
