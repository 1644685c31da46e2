#!/usr/bin/env bash
# The "build here, install there" path, measured: copies this checkout's tracked files plus its build
# output (every dist/, console/dist) into a temp dir, installs only the production packages there
# (`npm ci --omit=dev`, offline from the npm cache when it can), and starts signaling from the build
# with plain node until /healthz answers. Prints the figures; changes nothing outside the temp dir.
#
#   npm run build && bash scripts/prod-install-check.sh [--keep]
#
# Needs the mediasoup worker setup.sh built (its path is in node_modules/.beacon-install-stamp) or
# MEDIASOUP_WORKER_BIN; --keep leaves the temp dir for a look.
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$ROOT"
say() { echo "[beacon] $*"; }
die() {
  echo "[beacon] error: $*" >&2
  exit 1
}
KEEP=0
[ "${1:-}" = --keep ] && KEEP=1

for main in signaling/dist/main.js sip-gateway/dist/main.js media-server/dist/node/main.js console/dist/index.html; do
  [ -f "$main" ] || die "$main is missing: run npm run build first"
done
WORKER="${MEDIASOUP_WORKER_BIN:-$(sed -n 's/.* worker=\(\/.*\)$/\1/p' node_modules/.beacon-install-stamp 2>/dev/null || true)}"
[ -x "$WORKER" ] || die "no mediasoup worker binary (run npm run setup, or set MEDIASOUP_WORKER_BIN)"

DEST="$(mktemp -d -t beacon-prod-install.XXXXXX)"
DATA="$DEST/.data"
PID=""
cleanup() {
  if [ -n "$PID" ]; then
    kill "$PID" 2>/dev/null || true
    wait "$PID" 2>/dev/null || true
  fi
  if [ "$KEEP" = 1 ]; then say "kept $DEST"; else rm -rf "$DEST"; fi
}
trap cleanup EXIT

# What a release tarball holds: the tracked files and the build output, no node_modules.
{ git ls-files; find . -path ./node_modules -prune -o \( -path '*/dist/*' -type f \) -print | sed 's|^\./||'; } |
  tar -cf - -T - | tar -xf - -C "$DEST"

START=$(date +%s%N)
(cd "$DEST" && MEDIASOUP_WORKER_BIN="$WORKER" npm ci --omit=dev --no-audit --no-fund --prefer-offline </dev/null >"$DEST/npm-ci.log" 2>&1) ||
  die "npm ci --omit=dev failed (log: $DEST/npm-ci.log; run with --keep)"
INSTALL_MS=$((($(date +%s%N) - START) / 1000000))
# mediasoup's postinstall skips its build with MEDIASOUP_WORKER_BIN; put the worker where it looks by default.
mkdir -p "$DEST/node_modules/mediasoup/worker/out/Release"
cp "$WORKER" "$DEST/node_modules/mediasoup/worker/out/Release/mediasoup-worker"

# (typescript itself comes along: vue, a console dependency, names it as an optional peer.)
for dev in tsx vitest vite @biomejs/biome; do
  [ ! -e "$DEST/node_modules/$dev" ] || die "dev package $dev was installed by npm ci --omit=dev"
done

PORT=$(node -e 'const s=require("net").createServer().listen(0,"127.0.0.1",()=>{console.log(s.address().port);s.close()})')
# Not the default 40000: a Beacon already running here holds it. Below the ephemeral range, like the tests'.
RTC_PORT=$((20000 + RANDOM % 1000 * 10))
START=$(date +%s%N)
(cd "$DEST" && exec env -u NODE_OPTIONS BEACON_PORT="$PORT" BEACON_HOST=127.0.0.1 BEACON_TLS=off BEACON_SIP=off \
  BEACON_DATA_DIR="$DATA" MEDIA_WORKERS=1 MEDIA_LISTEN_IP=127.0.0.1 MEDIA_ANNOUNCED_ADDRESS=127.0.0.1 \
  MEDIA_RTC_PORT_BASE="$RTC_PORT" \
  LOG_LEVEL=warn node signaling/dist/main.js >"$DEST/beacon.log" 2>&1) &
PID=$!
until curl -fsS "http://127.0.0.1:$PORT/readyz" >/dev/null 2>&1; do
  kill -0 "$PID" 2>/dev/null || die "signaling exited: $(tail -n 20 "$DEST/beacon.log")"
  [ $(($(date +%s%N) - START)) -gt 60000000000 ] && die "signaling not ready within 60 s"
  sleep 0.2
done
READY_MS=$((($(date +%s%N) - START) / 1000000))
curl -fsS "http://127.0.0.1:$PORT/healthz" >/dev/null || die "/healthz failed"

PACKAGES=$(cd "$DEST" && node -p 'Object.keys(require("./node_modules/.package-lock.json").packages).length')
say "npm ci --omit=dev: ${INSTALL_MS} ms, $PACKAGES packages, node_modules $(du -sh "$DEST/node_modules" | cut -f1)"
say "node signaling/dist/main.js ready in ${READY_MS} ms (/readyz 200, /healthz 200; no tsx, vitest, vite installed)"
