# shellcheck shell=sh
# Puts Beacon's pinned Node.js (scripts/node-runtime.pin) first on PATH, fetching it once if it is not there yet.
# Sourced (POSIX sh) by every npm script that runs Beacon's code and by scripts/setup.sh, from the repository root:
#
#   . scripts/node-env.sh
#
# The runtime is the official linux build packed as the npm registry's node-linux-<arch> package: `npm pack` fetches
# it through npm's own cache and registry settings (no nodejs.org), its sha512 is checked against the pin, and it is
# unpacked into .runtime/node-v<version>-linux-<arch>/ (about 190 MB; git ignores .runtime/). .runtime/node is a
# symlink to the current one: the systemd units start .runtime/node/bin/node.
# It also sets npm_config_nodedir to the runtime's own headers (include/node), so node-gyp builds the native modules
# (better-sqlite3, @discordjs/opus) for this Node without downloading headers from nodejs.org.
#
# Bootstrap: fetching needs some npm on PATH (any version, e.g. Debian 12's `apt-get install nodejs npm`); it runs
# only for `npm pack` and is not used afterwards.
# Env: BEACON_NODE_FETCH=0 — never fetch: say what is missing and fail (the production starts: they install nothing).
#      BEACON_NODE=pinned (default) | system — `system` keeps the node already on PATH (it must be >= 22.12, the
# oldest Node that mediasoup and Beacon's dependencies support) and fetches nothing.

beacon_node_die() {
  echo "[beacon] error: $*" >&2
  exit 1
}

beacon_node_env() {
  _bn_root="$(pwd)"
  [ -f "$_bn_root/scripts/node-runtime.pin" ] || beacon_node_die "scripts/node-env.sh must be sourced from the repository root (in $_bn_root)"
  case "${BEACON_NODE:-pinned}" in
    system)
      command -v node >/dev/null 2>&1 || beacon_node_die "BEACON_NODE=system but there is no node on PATH"
      node -e 'const [a, b] = process.versions.node.split(".").map(Number); process.exit(a > 22 || (a === 22 && b >= 12) ? 0 : 1)' ||
        beacon_node_die "BEACON_NODE=system: node $(node -v) is too old; Beacon needs Node.js >= 22.12"
      return 0
      ;;
    pinned) ;;
    *) beacon_node_die "BEACON_NODE must be pinned or system (got \"$BEACON_NODE\")" ;;
  esac

  # shellcheck source=node-runtime.pin
  . "$_bn_root/scripts/node-runtime.pin"
  case "$(uname -m)" in
    x86_64 | amd64) _bn_arch=x64 ;;
    aarch64 | arm64) _bn_arch=arm64 ;;
    *) beacon_node_die "no pinned Node.js build for $(uname -m); set BEACON_NODE=system with a Node.js >= 22.12 on PATH" ;;
  esac
  _bn_name="node-v$BEACON_NODE_VERSION-linux-$_bn_arch"
  _bn_dir="$_bn_root/.runtime/$_bn_name"

  if [ ! -x "$_bn_dir/bin/node" ]; then
    [ "${BEACON_NODE_FETCH:-1}" != 0 ] ||
      beacon_node_die "Node.js $BEACON_NODE_VERSION is not in .runtime/ (it runs Beacon); install it with: npm run setup (as root)"
    eval "_bn_integrity=\${BEACON_NODE_INTEGRITY_$_bn_arch:-}"
    [ -n "$_bn_integrity" ] || beacon_node_die "scripts/node-runtime.pin has no integrity for $_bn_arch"
    command -v npm >/dev/null 2>&1 ||
      beacon_node_die "fetching Node.js $BEACON_NODE_VERSION needs npm once; install it (Debian: apt-get install -y nodejs npm) and re-run"
    echo "[beacon] fetching Node.js $BEACON_NODE_VERSION (npm package node-linux-$_bn_arch@$BEACON_NODE_VERSION, ~50 MB) into .runtime/" >&2
    _bn_tmp="$(mktemp -d "${TMPDIR:-/tmp}/beacon-node.XXXXXX")"
    # Unset npm_config_nodedir etc. would not matter to `npm pack`; the repo's .npmrc (registry, proxy) applies.
    npm pack "node-linux-$_bn_arch@$BEACON_NODE_VERSION" --pack-destination "$_bn_tmp" --silent >/dev/null </dev/null ||
      {
        rm -rf "$_bn_tmp"
        beacon_node_die "npm pack node-linux-$_bn_arch@$BEACON_NODE_VERSION failed (is the npm registry reachable?)"
      }
    _bn_tgz="$_bn_tmp/node-linux-$_bn_arch-$BEACON_NODE_VERSION.tgz"
    # The pin's integrity is base64 sha512 (npm's format); sha512sum prints hex.
    _bn_want="$(printf '%s' "${_bn_integrity#sha512-}" | base64 -d | od -An -v -tx1 | tr -d ' \n')"
    _bn_have="$(sha512sum "$_bn_tgz" | cut -d' ' -f1)"
    if [ "$_bn_want" != "$_bn_have" ]; then
      rm -rf "$_bn_tmp"
      beacon_node_die "node-linux-$_bn_arch@$BEACON_NODE_VERSION does not match the sha512 in scripts/node-runtime.pin; refusing it"
    fi
    mkdir -p "$_bn_tmp/unpacked" "$_bn_root/.runtime"
    tar -xzf "$_bn_tgz" -C "$_bn_tmp/unpacked" --strip-components=1 ||
      {
        rm -rf "$_bn_tmp"
        beacon_node_die "could not unpack $_bn_tgz"
      }
    "$_bn_tmp/unpacked/bin/node" -e 0 || {
      rm -rf "$_bn_tmp"
      beacon_node_die "the fetched Node.js $BEACON_NODE_VERSION does not run on this machine"
    }
    # Rename into place: a concurrent or interrupted fetch never leaves a half-unpacked runtime.
    rm -rf "$_bn_dir"
    mv "$_bn_tmp/unpacked" "$_bn_dir"
    rm -rf "$_bn_tmp"
  fi
  [ "$(readlink "$_bn_root/.runtime/node" 2>/dev/null || true)" = "$_bn_name" ] || ln -sfn "$_bn_name" "$_bn_root/.runtime/node"

  PATH="$_bn_dir/bin:$PATH"
  npm_config_nodedir="$_bn_dir"
  export PATH npm_config_nodedir
}

beacon_node_env
