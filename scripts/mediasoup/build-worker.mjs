#!/usr/bin/env node
// Finds or builds the mediasoup worker binary for Beacon.
//
// Runs BEFORE node_modules exist: node: builtins only.
//
// Modes (env BEACON_MEDIASOUP_WORKER):
//   auto (default) — use the cached source build if present; otherwise probe
//                    mediasoup's prebuilt-worker download URL (5 s timeout):
//                    reachable → prebuilt, else → source.
//   source         — use the cached binary or build it from mediasoup's npm
//                    tarball C++ sources + scripts/mediasoup/mediasoup-<v>-debian.patch
//                    against Debian packages.
//   prebuilt       — nothing to do here; `npm ci` lets mediasoup download its own worker.
//
// Output contract (for scripts/setup.sh): progress goes to stderr as `[beacon] ...`
// lines; the LAST stdout line is either
//   MEDIASOUP_WORKER_BIN=<absolute path>   or   MEDIASOUP_WORKER=prebuilt
//
// `--quiet` drops the informational "nothing to do" line (progress and errors still print).
// `--plan` resolves the mode without building and prints (stdout):
//   MODE=source|prebuilt
//   CACHED=<path>             (only when the cached binary is present and healthy)
//   BUILD_DEBS=<pkg> ...      (Debian packages a source build needs; empty when no build is needed)
// setup.sh installs the absent BUILD_DEBS, then re-runs this script with BEACON_MEDIASOUP_WORKER=<MODE>.
//
// Cache: ${BEACON_CACHE_DIR:-${XDG_CACHE_HOME:-$HOME/.cache}/beacon}/mediasoup-worker/
//        <version>-<sha256(patch, build flags, compiler)[0:12]>/mediasoup-worker
// The key changes with the mediasoup version, the patch, the meson options, CFLAGS/CXXFLAGS/LDFLAGS and the
// compiler's version, so a different build never takes the place of another one (worktrees and branches on one
// machine share the cache).
//
// Env: BEACON_MEDIASOUP_WORKER_MESON_ARGS — extra meson options for a source build (space-separated, e.g.
//      "-Doptimization=3 -Db_lto=true" to measure build flags); part of the cache key.

import { spawn, spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { fileURLToPath } from 'node:url';

const REPO_ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..');
const MIN_BINARY_SIZE = 1024 * 1024;
const PROBE_TIMEOUT_MS = 5000;

// Tools (command → Debian package) and pkg-config modules (module → Debian package)
// that the patched worker build needs. Keep in sync with the patch's meson.build.
const TOOLS = [
  ['tar', 'tar'],
  ['patch', 'patch'],
  ['g++', 'g++'],
  ['meson', 'meson'],
  ['ninja', 'ninja-build'],
  ['pkg-config', 'pkg-config'],
  ['flatc', 'flatbuffers-compiler'],
];
const PKG_CONFIG_MODULES = [
  ['openssl', 'libssl-dev'],
  ['libuv', 'libuv1-dev'],
  ['libsrtp2', 'libsrtp2-dev'],
  ['flatbuffers', 'libflatbuffers-dev'],
];

class UserError extends Error {}

function info(msg) {
  process.stderr.write(`[beacon] ${msg}\n`);
}

function readJson(file) {
  return JSON.parse(fs.readFileSync(file, 'utf8'));
}

function pinnedVersion() {
  const msPkg = readJson(path.join(REPO_ROOT, 'media-server', 'package.json'));
  const spec = msPkg.dependencies?.mediasoup;
  if (!spec) throw new UserError('media-server/package.json has no "mediasoup" dependency');
  if (!/^\d+\.\d+\.\d+$/.test(spec)) {
    throw new UserError(
      `media-server/package.json must pin mediasoup to an exact version (found "${spec}"): ` +
        'the worker binary is built for one exact version',
    );
  }
  const lockFile = path.join(REPO_ROOT, 'package-lock.json');
  if (fs.existsSync(lockFile)) {
    const locked = readJson(lockFile).packages?.['node_modules/mediasoup']?.version;
    if (locked && locked !== spec) {
      throw new UserError(
        `package-lock.json has mediasoup ${locked} but media-server/package.json pins ${spec}; run npm install to sync the lockfile`,
      );
    }
  }
  return spec;
}

function cacheRoot() {
  if (process.env.BEACON_CACHE_DIR) return path.resolve(process.env.BEACON_CACHE_DIR);
  const xdg = process.env.XDG_CACHE_HOME || path.join(os.homedir(), '.cache');
  return path.join(xdg, 'beacon');
}

function workerCachePaths(version) {
  const patchFile = path.join(REPO_ROOT, 'scripts', 'mediasoup', `mediasoup-${version}-debian.patch`);
  if (!fs.existsSync(patchFile)) {
    throw new UserError(
      `no worker patch for mediasoup ${version} (expected ${path.relative(REPO_ROOT, patchFile)}); ` +
        "port the patch to this version, or use BEACON_MEDIASOUP_WORKER=prebuilt on a machine that can download mediasoup's prebuilt worker",
    );
  }
  const hash = createHash('sha256')
    .update(fs.readFileSync(patchFile))
    .update(JSON.stringify(buildIdentity()))
    .digest('hex')
    .slice(0, 12);
  const dir = path.join(cacheRoot(), 'mediasoup-worker', `${version}-${hash}`);
  return { patchFile, dir, bin: path.join(dir, 'mediasoup-worker') };
}

// meson options of the source build: release, asserts off (mediasoup's own release build does the same).
const BASE_MESON_ARGS = ['--buildtype', 'release', '-Db_ndebug=true'];

function mesonArgs() {
  const extra = (process.env.BEACON_MEDIASOUP_WORKER_MESON_ARGS ?? '').split(/\s+/).filter(Boolean);
  return [...BASE_MESON_ARGS, ...extra];
}

// Everything besides the sources that decides what the build produces: part of the cache key.
function buildIdentity() {
  const compiler = spawnSync(process.env.CXX || 'g++', ['--version'], { encoding: 'utf8' });
  return {
    meson: mesonArgs(),
    cflags: process.env.CFLAGS ?? '',
    cxxflags: process.env.CXXFLAGS ?? '',
    ldflags: process.env.LDFLAGS ?? '',
    compiler: compiler.status === 0 ? compiler.stdout.split('\n')[0] : 'none',
  };
}

// mediasoup's own validity check (npm-scripts.mjs downloadPrebuiltWorker()): run the
// worker without MEDIASOUP_VERSION and an empty env; a healthy binary exits with 41.
function workerRuns(bin) {
  const r = spawnSync(bin, [], { env: {}, stdio: 'ignore', timeout: 10000 });
  return r.status === 41;
}

function isHealthyBinary(bin) {
  try {
    const st = fs.statSync(bin);
    if (!st.isFile() || st.size < MIN_BINARY_SIZE) return false;
    fs.accessSync(bin, fs.constants.X_OK);
  } catch {
    return false;
  }
  return workerRuns(bin);
}

function commandExists(cmd) {
  return spawnSync('sh', ['-c', `command -v "${cmd}"`], { stdio: 'ignore' }).status === 0;
}

function buildDebs() {
  return [...new Set([...TOOLS, ...PKG_CONFIG_MODULES].map(([, deb]) => deb))];
}

function missingBuildDebs() {
  const missing = new Set();
  for (const [cmd, deb] of TOOLS) if (!commandExists(cmd)) missing.add(deb);
  const havePkgConfig = commandExists('pkg-config');
  for (const [mod, deb] of PKG_CONFIG_MODULES) {
    if (!havePkgConfig || spawnSync('pkg-config', ['--exists', mod], { stdio: 'ignore' }).status !== 0) {
      missing.add(deb);
    }
  }
  return [...missing];
}

// Runs a command with output appended to `logFile`; rejects with the log tail on failure.
function run(cmd, args, { cwd, logFile, env = process.env }) {
  return new Promise((resolve, reject) => {
    fs.appendFileSync(logFile, `\n$ ${cmd} ${args.join(' ')}  (cwd ${cwd})\n`);
    const fd = fs.openSync(logFile, 'a');
    const child = spawn(cmd, args, { cwd, env, stdio: ['ignore', fd, fd] });
    child.on('error', (err) => {
      fs.closeSync(fd);
      reject(new UserError(`cannot run ${cmd}: ${err.message}`));
    });
    child.on('close', (code, signal) => {
      fs.closeSync(fd);
      if (code === 0) return resolve();
      const tail = fs.readFileSync(logFile, 'utf8').split('\n').slice(-41).join('\n');
      process.stderr.write(`[beacon] --- last 40 lines of ${path.basename(logFile)} ---\n${tail}\n`);
      reject(new UserError(`${cmd} ${args[0] ?? ''} failed (${signal ? `signal ${signal}` : `exit ${code}`})`));
    });
  });
}

async function packMediasoup(version, tmp, logFile) {
  info(`fetching mediasoup@${version} from the npm registry`);
  // cwd = repo root so the project's npm config (registry, proxy) applies.
  await run('npm', ['pack', `mediasoup@${version}`, '--pack-destination', tmp, '--silent'], {
    cwd: REPO_ROOT,
    logFile,
  });
  const tgz = fs.readdirSync(tmp).find((f) => f.endsWith('.tgz'));
  if (!tgz) throw new UserError('npm pack produced no tarball');
  await run('tar', ['-xzf', path.join(tmp, tgz), '-C', tmp], { cwd: tmp, logFile });
  const pkgDir = path.join(tmp, 'package');
  const pkg = readJson(path.join(pkgDir, 'package.json'));
  if (pkg.version !== version) throw new UserError(`packed mediasoup is ${pkg.version}, expected ${version}`);
  return { pkgDir, pkg };
}

// Same URL as mediasoup's npm-scripts.mjs getWorkerPrebuildTarName()/downloadPrebuiltWorker().
function prebuiltUrl(pkg) {
  const releaseBase =
    process.env.MEDIASOUP_WORKER_PREBUILT_DOWNLOAD_BASE_URL ||
    `${String(pkg.repository?.url ?? '')
      .replace(/^git\+/, '')
      .replace(/\.git$/, '')}/releases/download`;
  let name = `mediasoup-worker-${pkg.version}-${os.platform()}-${os.arch()}`;
  if (os.platform() === 'linux') name += `-kernel${Number(os.release().split('.')[0])}`;
  return `${releaseBase}/${pkg.version}/${name}.tgz`;
}

async function prebuiltReachable(pkg) {
  const url = prebuiltUrl(pkg);
  if (!/^https?:\/\//.test(url)) return false;
  try {
    const res = await fetch(url, {
      method: 'GET',
      headers: { Range: 'bytes=0-0' },
      redirect: 'follow',
      signal: AbortSignal.timeout(PROBE_TIMEOUT_MS),
    });
    await res.body?.cancel().catch(() => {});
    info(`prebuilt worker probe: HTTP ${res.status} (${url})`);
    return res.status === 200 || res.status === 206;
  } catch (err) {
    info(`prebuilt worker probe: unreachable (${err.cause?.code ?? err.name}) (${url})`);
    return false;
  }
}

function makeTmp() {
  return fs.mkdtempSync(path.join(os.tmpdir(), 'beacon-mediasoup-'));
}

function rmTmp(tmp) {
  if (tmp) fs.rmSync(tmp, { recursive: true, force: true });
}

// Resolves auto → prebuilt|source. Returns { mode, cached }.
async function resolveMode(version) {
  const requested = (process.env.BEACON_MEDIASOUP_WORKER || 'auto').toLowerCase();
  if (!['auto', 'source', 'prebuilt'].includes(requested)) {
    throw new UserError(`BEACON_MEDIASOUP_WORKER must be auto, source or prebuilt (got "${requested}")`);
  }
  if (requested === 'prebuilt') return { mode: 'prebuilt', cached: null };
  const { bin } = workerCachePaths(version);
  if (isHealthyBinary(bin)) return { mode: 'source', cached: bin };
  if (requested === 'source') return { mode: 'source', cached: null };
  // auto: keep an earlier prebuilt install (setup.sh's stamp says so and the downloaded
  // worker still runs) without probing the network again.
  const stamp = path.join(REPO_ROOT, 'node_modules', '.beacon-install-stamp');
  const installed = path.join(REPO_ROOT, 'node_modules', 'mediasoup', 'worker', 'out', 'Release', 'mediasoup-worker');
  if (
    fs.existsSync(stamp) &&
    / worker=prebuilt$/.test(fs.readFileSync(stamp, 'utf8').trim()) &&
    isHealthyBinary(installed)
  ) {
    return { mode: 'prebuilt', cached: null };
  }
  // auto, no cached binary: probe the prebuilt download.
  const tmp = makeTmp();
  try {
    const { pkg } = await packMediasoup(version, tmp, path.join(tmp, 'build.log'));
    return { mode: (await prebuiltReachable(pkg)) ? 'prebuilt' : 'source', cached: null };
  } finally {
    rmTmp(tmp);
  }
}

async function buildFromSource(version) {
  const { patchFile, dir, bin } = workerCachePaths(version);
  const missing = missingBuildDebs();
  if (missing.length) {
    throw new UserError(
      `building the mediasoup worker needs these Debian packages: ${missing.join(' ')}\n` +
        `[beacon]   install them with: apt-get install -y --no-install-recommends ${missing.join(' ')}\n` +
        '[beacon]   (or run: bash scripts/setup.sh, which installs them when run as root)',
    );
  }
  const started = Date.now();
  const tmp = makeTmp();
  const logFile = path.join(tmp, 'build.log');
  let ok = false;
  const onSignal = (sig) => {
    rmTmp(tmp);
    process.exit(sig === 'SIGINT' ? 130 : 143);
  };
  process.once('SIGINT', onSignal);
  process.once('SIGTERM', onSignal);
  try {
    const { pkgDir } = await packMediasoup(version, tmp, logFile);
    info(`applying ${path.relative(REPO_ROOT, patchFile)}`);
    await run('patch', ['-p1', '--forward', '--batch', '-i', patchFile], { cwd: pkgDir, logFile });
    const workerDir = path.join(pkgDir, 'worker');
    const buildDir = path.join(workerDir, 'build');
    info(`configuring the worker build (meson), log: ${logFile}`);
    await run('meson', ['setup', buildDir, ...mesonArgs()], {
      cwd: workerDir,
      logFile,
    });
    await run('meson', ['compile', '-C', buildDir, 'flatbuffers-generator'], { cwd: workerDir, logFile });
    info(`compiling mediasoup-worker ${version} (takes ~10 min on 2 idle cores)`);
    await run('ninja', ['-C', buildDir, 'mediasoup-worker'], { cwd: workerDir, logFile });
    const built = path.join(buildDir, 'mediasoup-worker');
    if (!isHealthyBinary(built))
      throw new UserError(`the built worker ${built} does not run (expected exit 41 with no env)`);
    fs.mkdirSync(dir, { recursive: true });
    const tmpBin = `${bin}.tmp-${process.pid}`;
    fs.copyFileSync(built, tmpBin);
    fs.chmodSync(tmpBin, 0o755);
    fs.renameSync(tmpBin, bin);
    ok = true;
    info(`built mediasoup-worker ${version} in ${Math.round((Date.now() - started) / 1000)} s → ${bin}`);
    return bin;
  } finally {
    process.off('SIGINT', onSignal);
    process.off('SIGTERM', onSignal);
    if (!ok && fs.existsSync(logFile)) {
      // Keep the failed build's log after cleaning the temp dir.
      try {
        fs.mkdirSync(path.dirname(dir), { recursive: true });
        const kept = path.join(path.dirname(dir), `build-failed-${version}.log`);
        fs.copyFileSync(logFile, kept);
        info(`full build log kept at ${kept}`);
      } catch {}
    }
    rmTmp(tmp);
  }
}

async function main() {
  const planOnly = process.argv.includes('--plan');
  const quiet = process.argv.includes('--quiet'); // no "nothing to do" line (setup.sh)
  const version = pinnedVersion();
  const { mode, cached } = await resolveMode(version);

  if (planOnly) {
    const lines = [`MODE=${mode}`];
    if (cached) lines.push(`CACHED=${cached}`);
    // All Debian packages a source build needs (setup.sh installs the absent ones).
    lines.push(`BUILD_DEBS=${mode === 'source' && !cached ? buildDebs().join(' ') : ''}`);
    process.stdout.write(`${lines.join('\n')}\n`);
    return;
  }

  if (mode === 'prebuilt') {
    if (!quiet) info(`mediasoup ${version}: prebuilt worker mode, nothing to build (npm install downloads it)`);
    process.stdout.write('MEDIASOUP_WORKER=prebuilt\n');
    return;
  }
  const bin = cached ?? (await buildFromSource(version));
  process.stdout.write(`MEDIASOUP_WORKER_BIN=${bin}\n`);
}

main().catch((err) => {
  process.stderr.write(
    `[beacon] error: ${err instanceof UserError || !process.env.BEACON_DEBUG ? (err?.message ?? err) : err?.stack}\n`,
  );
  process.exit(1);
});
