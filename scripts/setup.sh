#!/usr/bin/env bash
# Beacon setup: system packages, the mediasoup worker, npm packages, voice prompts.
# Idempotent and quiet when everything is already in place (prints one line); otherwise it
# says what it installs or changes before doing it. `npm start` runs it first; the production start
# (`npm run start:prod`, the systemd units) never installs anything: it only says what is missing.
#
#   bash scripts/setup.sh [--with-tests]
#
#   --with-tests   also install what the test suites need (chromium, a CJK font for screenshots)
#
# Env: BEACON_MEDIASOUP_WORKER=auto|source|prebuilt (see scripts/mediasoup/build-worker.mjs),
#      BEACON_CACHE_DIR (default ${XDG_CACHE_HOME:-$HOME/.cache}/beacon),
#      BEACON_NODE=pinned|system (see scripts/node-env.sh).
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$ROOT"

say() { echo "[beacon] $*"; }
die() {
  echo "[beacon] error: $*" >&2
  exit 1
}

WITH_TESTS=0
for arg in "$@"; do
  case "$arg" in
    --with-tests) WITH_TESTS=1 ;;
    -h | --help)
      sed -n '2,12s/^# \{0,1\}//p' "$0"
      exit 0
      ;;
    *) die "unknown option: $arg (usage: bash scripts/setup.sh [--with-tests])" ;;
  esac
done

# --- Node and npm ------------------------------------------------------------
# Beacon runs on its pinned Node.js (scripts/node-runtime.pin), fetched once from the npm registry into .runtime/ and
# put first on PATH here; every npm script that runs Beacon's code does the same (see scripts/node-env.sh).
# shellcheck source=node-env.sh
. scripts/node-env.sh
command -v npm >/dev/null 2>&1 || die "npm is not installed; install it (Debian: apt-get install -y nodejs npm)"
NODE_VERSION="$(node -p 'process.versions.node')"

# --- Worker plan: which mode, is a build needed, which Debian packages would it need --
PLAN="$(node scripts/mediasoup/build-worker.mjs --plan)" || die "could not determine how to get the mediasoup worker (see above)"
plan_get() { sed -n "s/^$1=//p" <<<"$PLAN" | tail -n 1; }
WORKER_MODE="$(plan_get MODE)"
BUILD_DEBS="$(plan_get BUILD_DEBS)"

# --- Debian packages ---------------------------------------------------------
# Kamailio: the SIP server in front of the desk phones (websocket: the gateway's link;
# sqlite: the digest credentials Beacon keeps). espeak-ng + sox: voice prompts.
# openssl: Beacon's own certificate authority (signaling/src/tls). coturn: TURN for terminals behind
# NAT/firewalls (started by signaling when BEACON_TURN=on). kannel: the SMS gateway (bearerbox + smsbox, started
# by signaling when BEACON_SMS=on). mosquitto: the MQTT broker of monitoring stations (started by signaling when
# BEACON_MQTT=on).
WANT_DEBS=(ffmpeg openssl kamailio kamailio-websocket-modules kamailio-sqlite-modules kamailio-extra-modules espeak-ng sox coturn mosquitto kannel)
# fonts-wqy-microhei: Chinese glyphs in headless screenshots taken on test failure.
# sip-tester (SIPp) and baresip-core: real SIP peers for the phone tests; baresip-ffmpeg (avcodec H.264, avformat) makes baresip a SIP video terminal.
# libnss3-tools (certutil): a test browser's trust in Beacon's CA. iproute2: network namespaces for
# link tests; gcc: their userspace link emulator (test/tools/linkemu). postgresql: the store suite's
# second backend and the scaled-out tests' shared store; redis-server and nginx-light: the scaled-out
# tests' Redis and load balancer; janus: the peer SFU of the fan-out benchmark. kannel-extras: Kannel's fake SMS
# centre (fakesmsc) for the SMS tests and benchmark.
[ "$WITH_TESTS" = 1 ] && WANT_DEBS+=(chromium fonts-wqy-microhei sip-tester baresip-core baresip-ffmpeg libnss3-tools iproute2 gcc libc6-dev postgresql redis-server nginx-light janus kannel-extras)
# libxml2-utils: xmllint validates the CAP export against the OASIS CAP 1.2 XSD.
[ "$WITH_TESTS" = 1 ] && WANT_DEBS+=(libxml2-utils)
# LibreOffice headless (core + Writer/Impress/Calc, no GUI) and poppler-utils: meeting materials to page images and
# the minutes' PDF (signaling/src/meetings/DocumentConverter.ts); fonts-wqy-microhei: Chinese glyphs in those PDFs.
# About 100 MB of .debs, 315 MB installed.
WANT_DEBS+=(libreoffice-core-nogui libreoffice-writer-nogui libreoffice-impress-nogui libreoffice-calc-nogui poppler-utils fonts-wqy-microhei)
# shellcheck disable=SC2206 # word splitting intended
[ -n "$BUILD_DEBS" ] && WANT_DEBS+=($BUILD_DEBS)

if command -v dpkg-query >/dev/null 2>&1; then
  MISSING_DEBS=()
  for pkg in "${WANT_DEBS[@]}"; do
    if [ "$(dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null || true)" != "install ok installed" ]; then
      MISSING_DEBS+=("$pkg")
    fi
  done
  if [ "${#MISSING_DEBS[@]}" -gt 0 ]; then
    if [ "$(id -u)" != 0 ]; then
      die "missing Debian packages: ${MISSING_DEBS[*]}
[beacon]   install them as root, then re-run this script:
[beacon]   sudo apt-get install -y --no-install-recommends ${MISSING_DEBS[*]}"
    fi
    say "installing Debian packages: ${MISSING_DEBS[*]}"
    export DEBIAN_FRONTEND=noninteractive
    APT_LOG="$(mktemp -t beacon-apt.XXXXXX)"
    if ! { apt-get update -q && apt-get install -y -q --no-install-recommends "${MISSING_DEBS[@]}"; } </dev/null >"$APT_LOG" 2>&1; then
      tail -n 40 "$APT_LOG" | sed 's/^/[beacon] apt: /' >&2
      die "apt-get failed installing: ${MISSING_DEBS[*]} (full log: $APT_LOG)"
    fi
    rm -f "$APT_LOG"
  fi
else
  # Not Debian: we cannot check packages; build-worker.mjs reports missing build tools itself.
  for tool in ffmpeg $([ "$WITH_TESTS" = 1 ] && echo chromium); do
    command -v "$tool" >/dev/null 2>&1 || say "warning: $tool not found (not a Debian system: install it with your package manager)"
  done
fi

# Beacon runs its own Kamailio, coturn, mosquitto and Kannel (configs rendered per start). On a systemd host the Debian
# packages' services may have started on install and would hold ports 5060 and 3478: stop and disable them.
# PostgreSQL's, Redis's and nginx's own services are left alone (tests start their own on random ports);
# Janus's is stopped too (the benchmark runs its own, and it would hold ports for nothing).
for service in kamailio coturn janus mosquitto kannel; do
  if command -v systemctl >/dev/null 2>&1 && systemctl is-enabled --quiet "$service" 2>/dev/null; then
    if [ "$(id -u)" = 0 ]; then
      say "disabling the system $service service (Beacon starts its own)"
      systemctl disable --now "$service" >/dev/null 2>&1 || say "warning: could not disable the $service service"
    else
      say "warning: the system $service service is enabled and may hold its port; run: sudo systemctl disable --now $service"
    fi
  fi
done

# --- mediasoup worker --------------------------------------------------------
WORKER_OUT="$(BEACON_MEDIASOUP_WORKER="$WORKER_MODE" node scripts/mediasoup/build-worker.mjs --quiet)" ||
  die "could not build or find the mediasoup worker (see above)"
WORKER_LINE="$(tail -n 1 <<<"$WORKER_OUT")"
WORKER_BIN=""
case "$WORKER_LINE" in
  MEDIASOUP_WORKER_BIN=*) WORKER_BIN="${WORKER_LINE#MEDIASOUP_WORKER_BIN=}" ;;
  MEDIASOUP_WORKER=prebuilt) ;;
  *) die "unexpected output from build-worker.mjs: $WORKER_LINE" ;;
esac

# --- npm packages ------------------------------------------------------------
[ -f package-lock.json ] || die "package-lock.json is missing; run npm install once and commit it"
STAMP=node_modules/.beacon-install-stamp
LOCK_SHA="$(sha256sum package-lock.json | cut -d' ' -f1)"
STAMP_WANT="lock=$LOCK_SHA worker=${WORKER_BIN:-prebuilt}"

# True when node_modules was installed from exactly this lockfile (e.g. by a plain
# `npm install`): npm's hidden lockfile matches every installed entry and only optional
# packages for other platforms are absent.
node_modules_match_lock() {
  [ -f node_modules/.package-lock.json ] || return 1
  node -e '
    const fs = require("node:fs");
    const lock = JSON.parse(fs.readFileSync("package-lock.json", "utf8")).packages ?? {};
    const hidden = JSON.parse(fs.readFileSync("node_modules/.package-lock.json", "utf8")).packages ?? {};
    for (const [key, entry] of Object.entries(lock)) {
      if (key === "") continue;
      const have = hidden[key];
      if (!have) { if (entry.optional || entry.devOptional) continue; process.exit(1); }
      if (have.version !== entry.version || have.resolved !== entry.resolved || have.link !== entry.link) process.exit(1);
    }
    for (const key of Object.keys(hidden)) if (!(key in lock)) process.exit(1);
  ' 2>/dev/null
}

NPM_INSTALLED=0
if [ -d node_modules ] && [ "$(cat "$STAMP" 2>/dev/null || true)" = "$STAMP_WANT" ]; then
  : # up to date
elif [ -d node_modules ] && node_modules_match_lock; then
  : # installed from this lockfile already; adopt it (stamp written below after the checks)
else
  say "installing npm packages (npm ci)"
  if [ -n "$WORKER_BIN" ]; then
    # Makes mediasoup's postinstall skip its download/build; we place the binary below.
    MEDIASOUP_WORKER_BIN="$WORKER_BIN" npm ci --no-audit --no-fund </dev/null || die "npm ci failed"
  else
    npm ci --no-audit --no-fund </dev/null || die "npm ci failed"
  fi
  NPM_INSTALLED=1
fi

# Put the source-built worker where mediasoup looks by default, so runtime needs no env var.
MS_DIR=node_modules/mediasoup
MS_BIN="$MS_DIR/worker/out/Release/mediasoup-worker"
[ -f "$MS_DIR/package.json" ] || die "node_modules/mediasoup is missing after install"
if [ -n "$WORKER_BIN" ] && ! cmp -s "$WORKER_BIN" "$MS_BIN"; then
  mkdir -p "$(dirname "$MS_BIN")"
  # Copy then rename: never overwrite a worker binary that may be running.
  cp "$WORKER_BIN" "$MS_BIN.tmp.$$"
  chmod 755 "$MS_BIN.tmp.$$"
  mv -f "$MS_BIN.tmp.$$" "$MS_BIN"
fi

# --- Check what install scripts should have built (npm 11 has skipped them before) --
better_sqlite3_loads() {
  node -e 'const D = require("better-sqlite3"); new D(":memory:").close()' >/dev/null 2>&1
}
if [ -d node_modules/better-sqlite3 ]; then
  if [ ! -f node_modules/better-sqlite3/build/Release/better_sqlite3.node ] || ! better_sqlite3_loads; then
    say "better-sqlite3 native module missing or not loadable; running npm rebuild better-sqlite3"
    npm rebuild better-sqlite3 </dev/null >/dev/null || true
    [ -f node_modules/better-sqlite3/build/Release/better_sqlite3.node ] && better_sqlite3_loads ||
      die "node_modules/better-sqlite3/build/Release/better_sqlite3.node is missing or does not load after npm rebuild better-sqlite3 (needs g++, make, python3 and Node headers)"
  fi
fi

opus_loads() {
  node -e 'const { OpusEncoder } = require("@discordjs/opus"); new OpusEncoder(8000, 1).decode(new OpusEncoder(8000, 1).encode(Buffer.alloc(320)))' >/dev/null 2>&1
}
if [ -d node_modules/@discordjs/opus ] && ! opus_loads; then
  # Its install script tries a prebuilt download first (unreachable here), then builds the bundled libopus.
  say "@discordjs/opus native module missing or not loadable; running npm rebuild @discordjs/opus"
  npm rebuild @discordjs/opus </dev/null >/dev/null 2>&1 || true
  opus_loads || die "@discordjs/opus does not load after npm rebuild (needs g++, make, python3 and Node headers)"
fi

# --- Voice prompts for desk phones (espeak-ng, Chinese then English; cached as G.711) --
PROMPT_DIR="${BEACON_PROMPT_DIR:-${HOME}/.cache/beacon/prompts}"
# From source while the dev tools are installed; from the build after `npm prune --omit=dev`.
if [ -d node_modules/tsx ]; then
  PREPARE_PROMPTS=(node --conditions=beacon-source --import tsx sip-gateway/src/media/preparePrompts.ts)
elif [ -f sip-gateway/dist/media/preparePrompts.js ]; then
  PREPARE_PROMPTS=(node sip-gateway/dist/media/preparePrompts.js)
else
  die "cannot make the voice prompts: neither tsx (npm ci) nor the build (npm run build) is there"
fi
[ -n "$(ls -A "$PROMPT_DIR" 2>/dev/null)" ] || say "generating the voice prompts into $PROMPT_DIR (espeak-ng, once)"
"${PREPARE_PROMPTS[@]}" "$PROMPT_DIR" >/dev/null ||
  die "could not generate the voice prompts into $PROMPT_DIR (needs espeak-ng and sox)"

[ -f "$MS_BIN" ] || die "mediasoup worker missing at $MS_BIN (mediasoup's install script did not run or failed; try BEACON_MEDIASOUP_WORKER=source)"
[ -x "$MS_BIN" ] || die "mediasoup worker at $MS_BIN is not executable"
# A healthy worker exits with 41 when started without its env (mediasoup's own check).
set +e
env -i "$MS_BIN" >/dev/null 2>&1
WORKER_RC=$?
set -e
[ "$WORKER_RC" = 41 ] || die "mediasoup worker at $MS_BIN does not run on this host (exit $WORKER_RC, expected 41)"

echo "$STAMP_WANT" >"$STAMP"

MS_VERSION="$(node -p 'require("./node_modules/mediasoup/package.json").version')"
SUMMARY="node $NODE_VERSION, mediasoup $MS_VERSION worker: $([ -n "$WORKER_BIN" ] && echo source-built || echo prebuilt)"
[ "$NPM_INSTALLED" = 1 ] && SUMMARY+=", npm packages installed"
[ "$WITH_TESTS" = 1 ] && SUMMARY+=", test deps"
say "setup ok ($SUMMARY)"
