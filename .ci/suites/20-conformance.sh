#!/usr/bin/env bash
# The official MCP conformance suite (server side) against examples/everything.rs:
# 0.1.16 with `--suite all`, and 0.2.0-alpha.12 with `--requirements 2025-11-25` and with
# `--requirements 2026-07-28` (which also runs the tasks extension's scenarios, not scored by
# the suite: any failed check still fails this script).
set -euo pipefail
source "$(dirname "$0")/../lib/common.sh"
trap ci_cleanup EXIT

if [ ! -f "$CI_ROOT/examples/everything.rs" ]; then
  ci_log "SKIP: examples/everything.rs not present yet"
  exit 0
fi

ci_node22
STABLE="0.1.16"
ALPHA="0.2.0-alpha.12"
ci_npm_package "$CI_CACHE/conformance-$STABLE" @modelcontextprotocol/conformance "$STABLE"
ci_npm_package "$CI_CACHE/conformance-$ALPHA" @modelcontextprotocol/conformance "$ALPHA"

everything="$(ci_example everything)"
port="$(ci_free_port)"
url="http://127.0.0.1:$port/mcp"
server_log="$CI_CACHE/everything-conformance.log"
ci_start_server "$server_log" "$port" "$everything" "127.0.0.1:$port"

# run_suite VERSION LABEL ARGS...: runs one conformance version against $url (its results and
# log named by LABEL), prints its summary (and each failed check), and returns its status.
run_suite() {
  local version="$1" label="$2"
  shift 2
  local bin="$CI_CACHE/conformance-$version/node_modules/.bin/conformance"
  local results="$CI_CACHE/conformance-results/$version-$label"
  local log="$CI_CACHE/conformance-$version-$label.log"
  rm -rf "$results"
  mkdir -p "$results"
  ci_log "conformance $version: server --url $url $*"
  local status=0
  timeout 600 "$bin" server --url "$url" "$@" -o "$results" >"$log" 2>&1 || status=$?
  if grep -q "=== SUMMARY ===" "$log"; then
    sed -n '/=== SUMMARY ===/,$p' "$log"
  else
    tail -n 40 "$log"
  fi
  # The suite exits 0 when only unscored scenarios (extensions, pending) fail; they count here.
  if [ "$status" -eq 0 ] && grep -Eq "Total: [0-9]+ passed, [1-9][0-9]* failed" "$log"; then
    status=1
  fi
  if [ "$status" -ne 0 ]; then
    echo "failed checks:"
    python3 "$CI_ROOT/.ci/lib/conformance_failures.py" "$results"
  fi
  return "$status"
}

failures=()
run_suite "$STABLE" all --suite all || failures+=("$STABLE (--suite all)")
run_suite "$ALPHA" 2025-11-25 --requirements 2025-11-25 \
  || failures+=("$ALPHA (--requirements 2025-11-25)")
run_suite "$ALPHA" 2026-07-28 --requirements 2026-07-28 \
  || failures+=("$ALPHA (--requirements 2026-07-28)")

if [ "${#failures[@]}" -gt 0 ]; then
  echo "--- everything server log (last 40 lines)"
  tail -n 40 "$server_log"
  ci_die "conformance failed: ${failures[*]}"
fi
ci_log "PASS: conformance $STABLE (--suite all), $ALPHA (--requirements 2025-11-25 and 2026-07-28, tasks extension included) in ${SECONDS}s"
