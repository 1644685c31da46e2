import { chmod, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { loadConfig } from './config.ts';
import { checkStartup, formatStartupProblems, machineProbe, type StartupProbe } from './startupChecks.ts';

const dirs: string[] = [];
afterEach(async () => {
  await Promise.all(dirs.splice(0).map((dir) => rm(dir, { recursive: true, force: true })));
});

/** A machine with a real console build and worker file in a temp dir, and only `programs` installed. */
async function machine(programs: string[], opts: { worker?: boolean; gatewayBuilt?: boolean } = {}) {
  const dir = await mkdtemp(path.join(tmpdir(), 'beacon-checks-'));
  dirs.push(dir);
  await writeFile(path.join(dir, 'index.html'), '<!doctype html>');
  const worker = path.join(dir, 'mediasoup-worker');
  if (opts.worker ?? true) {
    await writeFile(worker, '#!/bin/sh\n');
    await chmod(worker, 0o755);
  }
  const probe: StartupProbe = {
    ...machineProbe,
    findExecutable: (name) => (programs.includes(name) ? `/usr/bin/${name}` : null),
    mediasoupWorkerBin: () => worker,
    resolve: (specifier) => ((opts.gatewayBuilt ?? true) ? machineProbe.resolve(specifier) : null),
  };
  return { dir, probe };
}

const ALL = ['openssl', 'ffmpeg', 'kamailio', 'espeak-ng', 'sox', 'turnserver'];

describe('checkStartup', () => {
  it('finds nothing missing on a machine set up by npm run setup', async () => {
    const { dir, probe } = await machine(ALL);
    expect(checkStartup(loadConfig({ BEACON_CONSOLE_DIST: dir, BEACON_TURN: 'on' }), probe)).toEqual([]);
  });

  it('refuses to start without the mediasoup worker, unless media runs on separate media nodes', async () => {
    const { dir, probe } = await machine(ALL, { worker: false });
    const problems = checkStartup(loadConfig({ BEACON_CONSOLE_DIST: dir }), probe);
    expect(problems).toMatchObject([{ part: 'mediasoup worker', severity: 'fatal' }]);
    expect(formatStartupProblems(problems)).toMatch(
      /^\[beacon\] cannot start: no executable mediasoup worker at .*npm run setup/,
    );
    const cascade = loadConfig({
      BEACON_CONSOLE_DIST: dir,
      MEDIA_NODES: 'http://10.0.0.2:4000',
      MEDIA_NODE_KEY: 'k'.repeat(32),
    });
    expect(checkStartup(cascade, probe)).toEqual([]);
  });

  it('needs openssl only for Beacon-made certificates', async () => {
    const { dir, probe } = await machine(ALL.filter((program) => program !== 'openssl'));
    expect(checkStartup(loadConfig({ BEACON_CONSOLE_DIST: dir }), probe)).toMatchObject([
      { part: 'openssl', severity: 'fatal' },
    ]);
    expect(checkStartup(loadConfig({ BEACON_CONSOLE_DIST: dir, BEACON_TLS: 'off' }), probe)).toEqual([]);
  });

  it('warns, without refusing, for each optional part: console build, ffmpeg, kamailio, prompts, coturn', async () => {
    const { probe } = await machine(['openssl']);
    const config = loadConfig({ BEACON_CONSOLE_DIST: '/nonexistent/console/dist', BEACON_TURN: 'on' });
    const problems = checkStartup(config, probe);
    expect(problems.map((problem) => [problem.part, problem.severity])).toEqual([
      ['console build', 'warning'],
      ['ffmpeg', 'warning'],
      ['kamailio', 'warning'],
      ['espeak-ng and sox', 'warning'],
      ['coturn', 'warning'],
    ]);
    expect(formatStartupProblems(problems)).toContain('[beacon] missing: kamailio (Debian packages kamailio');
    // Phones off: nothing of the SIP side is asked for.
    const noSip = checkStartup(loadConfig({ BEACON_CONSOLE_DIST: '/nonexistent', BEACON_SIP: 'off' }), probe);
    expect(noSip.map((problem) => problem.part)).toEqual(['console build', 'ffmpeg']);
  });

  it('reports an unbuilt SIP gateway as the one SIP problem (signaling then starts without it)', async () => {
    const { dir, probe } = await machine(['openssl', 'ffmpeg'], { gatewayBuilt: false });
    expect(checkStartup(loadConfig({ BEACON_CONSOLE_DIST: dir }), probe)).toMatchObject([
      { part: 'SIP gateway build', severity: 'warning' },
    ]);
  });

  it('finds this machine’s mediasoup worker the way mediasoup does', () => {
    expect(machineProbe.mediasoupWorkerBin()).toMatch(/mediasoup-worker$/);
    expect(machineProbe.resolve('@beacon/sip-gateway/main')).toMatch(/sip-gateway\/src\/main\.ts$/);
  });
});
