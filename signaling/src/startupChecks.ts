/**
 * What a Beacon node needs from the machine, checked before it starts. Starting
 * never installs anything (that is `npm run setup`, run once by an administrator):
 * it says what is missing, what stops working without it and how to get it, and
 * refuses to start only without a part it truly cannot run without.
 */
import { accessSync, constants, existsSync } from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import { findExecutable } from '@beacon/common';
import type { Config } from './config.ts';

export type StartupCheckSeverity = 'fatal' | 'warning';

export interface StartupProblem {
  /** The missing part, as an administrator would name it (a program, a Debian package, the build). */
  part: string;
  severity: StartupCheckSeverity;
  /** What does not work without it, and how to get it. */
  message: string;
}

/** Where the checks look; the defaults look at this machine. */
export interface StartupProbe {
  findExecutable(name: string): string | null;
  isExecutableFile(file: string): boolean;
  exists(file: string): boolean;
  /** The mediasoup worker binary mediasoup would start (MEDIASOUP_WORKER_BIN or its build output). */
  mediasoupWorkerBin(): string;
  /** Where a package specifier resolves from signaling, or null when it does not. */
  resolve(specifier: string): string | null;
}

const requireHere = createRequire(import.meta.url);

export const machineProbe: StartupProbe = {
  findExecutable,
  isExecutableFile(file) {
    try {
      accessSync(file, constants.X_OK);
      return true;
    } catch {
      return false;
    }
  },
  exists: existsSync,
  mediasoupWorkerBin() {
    // mediasoup as the media server loads it: its own answer honours MEDIASOUP_WORKER_BIN and build types.
    const fromMediaServer = createRequire(requireHere.resolve('@beacon/media-server'));
    return (fromMediaServer('mediasoup') as { workerBin: string }).workerBin;
  },
  resolve(specifier) {
    try {
      return requireHere.resolve(specifier);
    } catch {
      return null;
    }
  },
};

/** Installs the Debian packages and builds the mediasoup worker, saying what it does. */
const SETUP = 'run `sudo npm run setup` once';

export function checkStartup(config: Config, probe: StartupProbe = machineProbe): StartupProblem[] {
  const problems: StartupProblem[] = [];
  const missingProgram = (program: string, debianPackage: string) =>
    probe.findExecutable(program) === null ? `${program} (Debian package ${debianPackage})` : null;

  if (config.mediaNodes === null) {
    const worker = probe.mediasoupWorkerBin();
    if (!probe.isExecutableFile(worker)) {
      problems.push({
        part: 'mediasoup worker',
        severity: 'fatal',
        message: `no executable mediasoup worker at ${worker}: meetings need it; ${SETUP}, or set MEDIASOUP_WORKER_BIN`,
      });
    }
  }
  if (config.tls.mode === 'auto') {
    const openssl = missingProgram('openssl', 'openssl');
    if (openssl) {
      problems.push({
        part: 'openssl',
        severity: 'fatal',
        message: `${openssl} is missing: BEACON_TLS=auto makes Beacon's certificates with it; ${SETUP}, or use BEACON_TLS=files / off`,
      });
    }
  }
  if (!probe.exists(path.join(config.consoleDist, 'index.html'))) {
    problems.push({
      part: 'console build',
      severity: 'warning',
      message: `the console is not built (${config.consoleDist}): browsers get a notice instead of the console; run \`npm run build\``,
    });
  }
  const ffmpeg = missingProgram('ffmpeg', 'ffmpeg');
  if (ffmpeg) {
    problems.push({
      part: 'ffmpeg',
      severity: 'warning',
      message: `${ffmpeg} is missing: meetings cannot be recorded; ${SETUP}`,
    });
  }
  if (config.sip) problems.push(...checkSip(probe));
  if (config.turn.enabled) {
    const coturn = missingProgram('turnserver', 'coturn');
    if (coturn) {
      problems.push({
        part: 'coturn',
        severity: 'warning',
        message: `${coturn} is missing: BEACON_TURN=on but terminals behind NAT get no TURN relay; ${SETUP}`,
      });
    }
  }
  return problems;
}

function checkSip(probe: StartupProbe): StartupProblem[] {
  const off = 'or set BEACON_SIP=off';
  if (probe.resolve('@beacon/sip-gateway/main') === null) {
    return [
      {
        part: 'SIP gateway build',
        severity: 'warning',
        message: `the SIP gateway is not built: desk phones are unavailable; run \`npm run build\`, ${off}`,
      },
    ];
  }
  const problems: StartupProblem[] = [];
  const kamailioBin = process.env.BEACON_KAMAILIO_BIN ?? 'kamailio';
  if (probe.findExecutable(kamailioBin) === null) {
    problems.push({
      part: 'kamailio',
      severity: 'warning',
      message: `${kamailioBin} (Debian packages kamailio, kamailio-websocket-modules, kamailio-sqlite-modules) is missing: desk phones cannot connect; ${SETUP}, ${off}`,
    });
  }
  const prompts = ['espeak-ng', 'sox'].filter((program) => probe.findExecutable(program) === null);
  if (prompts.length > 0) {
    problems.push({
      part: prompts.join(' and '),
      severity: 'warning',
      message: `${prompts.join(' and ')} (Debian packages of the same name) missing: the SIP gateway cannot make voice prompts that are not cached yet (BEACON_PROMPT_DIR); ${SETUP}, ${off}`,
    });
  }
  return problems;
}

/** One line per problem, for the terminal or the journal. */
export function formatStartupProblems(problems: readonly StartupProblem[]): string {
  return problems
    .map((problem) => `[beacon] ${problem.severity === 'fatal' ? 'cannot start' : 'missing'}: ${problem.message}`)
    .join('\n');
}
