/**
 * SIPp (Debian sip-tester 3.6) as desk phones in tests: `runSipp` runs a
 * scenario to completion, `startSipp` keeps a UAS phone running until stopped.
 * Scenarios live in sip-gateway/kamailio/sipp/ (name them without a path).
 *
 * SIPp's exit code: 0 all calls successful, 1 some failed, 97 stopped by a
 * signal (our stop()), 99 normal exit without calls processed, 255 fatal.
 */
import { type ChildProcess, spawn, spawnSync } from 'node:child_process';
import { mkdtemp, readdir, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { isAbsolute, join, resolve } from 'node:path';
import { freeUdpPort } from './ports.ts';

export const SIPP_SCENARIO_DIR = resolve(import.meta.dirname, '../../sip-gateway/kamailio/sipp');
/** Speech and RFC 4733 event pcaps that ship with sip-tester. */
export const SIPP_PCAP_DIR = '/usr/share/sip-tester';

export interface SippOptions {
  /** File in sip-gateway/kamailio/sipp (`register.xml`) or an absolute path. */
  scenario: string;
  /** Where requests go: Kamailio's `ip:port`. */
  target: string;
  /** Local SIP port (UDP); a free one by default. */
  localPort?: number;
  localIp?: string;
  /** `-s`: the user in the R-URI / the registered extension. */
  service?: string;
  /** `-inf`: CSV injection file ([field0] ...). */
  injection?: string;
  /** `-au` / `-ap`: digest credentials answered to 401/407. */
  authUser?: string;
  password?: string;
  /** `-key name value`: scenario keywords ([from], [dtmf], [expires]); defaults below. */
  keys?: Record<string, string>;
  /** `-m`: stop after this many calls. Default 1 (startSipp: unlimited). */
  calls?: number;
  /** `-r`: new calls per second. Default 10. */
  rate?: number;
  /** `-l`: simultaneous calls. */
  limit?: number;
  /** `-d`: what a bare `<pause/>` waits, in ms. */
  pauseMs?: number;
  /** Killed (exitCode null) after this long. Default 30_000. */
  timeoutMs?: number;
  /** `-mp`: local RTP port for the pcap players; a free one by default. */
  mediaPort?: number;
  extraArgs?: string[];
}

export interface SippStats {
  successful: number;
  failed: number;
  /** Unexpected messages, timeouts, ... as SIPp counts them. */
  failedUnexpected: number;
  failedTimeout: number;
}

export interface SippResult {
  exitCode: number | null;
  stdout: string;
  stderr: string;
  stats: SippStats;
  /** Every SIP message sent and received (`-trace_msg`). */
  messages: string;
  /** Unexpected messages and other errors (`-trace_err`). */
  errors: string;
  /** Response times (ms) of the scenario's rtd measurement, one per call, when run with `-trace_rtt -rtt_freq 1`. */
  rttMs: number[];
}

export interface SippHandle {
  readonly localPort: number;
  readonly mediaPort: number;
  /** Settles when SIPp exits on its own (or after stop()). */
  readonly done: Promise<SippResult>;
  stop(): Promise<SippResult>;
}

let sippAvailable: boolean | undefined;

export function isSippAvailable(): boolean {
  sippAvailable ??= spawnSync('sipp', ['-v'], { stdio: 'ignore' }).error === undefined;
  return sippAvailable;
}

/** Runs a scenario to the end. Never rejects for a failed call: look at exitCode and stats. */
export async function runSipp(options: SippOptions): Promise<SippResult> {
  const handle = await spawnSipp({ calls: 1, ...options });
  return handle.done;
}

/**
 * Starts a long-running SIPp (a UAS phone). With `register`, the phone first
 * registers from the same local port (register.xml), so Kamailio routes calls
 * for that extension to this UAS.
 */
export async function startSipp(
  options: SippOptions & { register?: { user: string; password: string; expiresSec?: number } },
): Promise<SippHandle> {
  const localPort = options.localPort ?? (await freeUdpPort());
  if (options.register) {
    const { user, password, expiresSec } = options.register;
    const result = await runSipp({
      scenario: 'register.xml',
      target: options.target,
      localPort,
      service: user,
      authUser: user,
      password,
      keys: { expires: String(expiresSec ?? 3600) },
      timeoutMs: 10_000,
    });
    if (result.exitCode !== 0) {
      throw new Error(
        `SIPp could not register ${user}: exit ${result.exitCode}\n${result.errors || result.stdout.slice(-2000)}`,
      );
    }
  }
  return spawnSipp({ ...options, localPort });
}

async function spawnSipp(options: SippOptions): Promise<SippHandle> {
  const dir = await mkdtemp(join(tmpdir(), 'beacon-sipp-'));
  const localPort = options.localPort ?? (await freeUdpPort());
  const mediaPort = options.mediaPort ?? (await freeUdpPort());
  const scenario = isAbsolute(options.scenario) ? options.scenario : join(SIPP_SCENARIO_DIR, options.scenario);
  const timeoutMs = options.timeoutMs ?? 30_000;
  const keys: Record<string, string> = {
    expires: '3600',
    from: options.authUser ?? options.service ?? 'sipp',
    dtmf: '5',
    ...options.keys,
  };
  const args = [
    options.target,
    '-sf',
    scenario,
    '-i',
    options.localIp ?? '127.0.0.1',
    '-p',
    String(localPort),
    '-mi',
    options.localIp ?? '127.0.0.1',
    '-mp',
    String(mediaPort),
    '-nostdin',
    '-trace_msg',
    '-message_file',
    join(dir, 'messages.log'),
    '-trace_err',
    '-error_file',
    join(dir, 'errors.log'),
    '-trace_stat',
    '-stf',
    join(dir, 'stats.csv'),
    '-r',
    String(options.rate ?? 10),
  ];
  if (options.calls !== undefined) args.push('-m', String(options.calls));
  if (options.limit !== undefined) args.push('-l', String(options.limit));
  if (options.service !== undefined) args.push('-s', options.service);
  if (options.injection !== undefined) args.push('-inf', options.injection);
  if (options.authUser !== undefined) args.push('-au', options.authUser);
  if (options.password !== undefined) args.push('-ap', options.password);
  if (options.pauseMs !== undefined) args.push('-d', String(options.pauseMs));
  for (const [key, value] of Object.entries(keys)) args.push('-key', key, value);
  args.push(...(options.extraArgs ?? []));

  const child: ChildProcess = spawn('sipp', args, { cwd: dir, stdio: ['ignore', 'pipe', 'pipe'] });
  let stdout = '';
  let stderr = '';
  child.stdout?.on('data', (chunk: Buffer) => {
    stdout += chunk.toString();
  });
  child.stderr?.on('data', (chunk: Buffer) => {
    stderr += chunk.toString();
  });
  const timer = setTimeout(() => child.kill('SIGKILL'), timeoutMs);
  const done = new Promise<SippResult>((resolveDone) => {
    const finish = async (exitCode: number | null, spawnError?: Error): Promise<void> => {
      clearTimeout(timer);
      const read = (name: string): Promise<string> => readFile(join(dir, name), 'utf8').catch(() => '');
      const [messages, errors, statsCsv] = await Promise.all([
        read('messages.log'),
        read('errors.log'),
        read('stats.csv'),
      ]);
      // `-trace_rtt` (benchmarks) writes <scenario>_<pid>_rtt.csv into the working directory.
      const rttFile = (await readdir(dir).catch(() => [] as string[])).find((name) => name.endsWith('_rtt.csv'));
      const rtt = rttFile ? await read(rttFile) : '';
      await rm(dir, { recursive: true, force: true });
      resolveDone({
        exitCode,
        stdout,
        stderr: spawnError ? `${stderr}${spawnError.message}` : stderr,
        stats: parseStats(statsCsv),
        messages,
        errors,
        rttMs: parseRtt(rtt),
      });
    };
    child.once('error', (error) => void finish(null, error));
    child.once('exit', (code) => void finish(code));
  });
  return {
    localPort,
    mediaPort,
    done,
    async stop() {
      if (child.exitCode === null && child.signalCode === null) child.kill('SIGTERM');
      return done;
    },
  };
}

/** The last line of SIPp's `-trace_stat` CSV holds cumulative counters (`;`-separated, `(C)` columns). */
function parseStats(csv: string): SippStats {
  const lines = csv.trim().split('\n');
  const header = lines[0]?.split(';') ?? [];
  const last = lines.length > 1 ? (lines[lines.length - 1]?.split(';') ?? []) : [];
  const value = (column: string): number => {
    const index = header.indexOf(column);
    return index >= 0 ? Number(last[index] ?? 0) || 0 : 0;
  };
  return {
    successful: value('SuccessfulCall(C)'),
    failed: value('FailedCall(C)'),
    failedUnexpected: value('FailedUnexpectedMessage(C)'),
    failedTimeout: value('FailedMaxUDPRetrans(C)') + value('FailedCallTimeout(C)') + value('FailedTimeoutOnRecv(C)'),
  };
}

/** `-trace_rtt` CSV: `Date_ms;response_time_ms;rtd_no` per call (header first). */
function parseRtt(csv: string): number[] {
  return csv
    .trim()
    .split('\n')
    .slice(1)
    .map((line) => Number(line.split(';')[1]))
    .filter((value) => Number.isFinite(value));
}
