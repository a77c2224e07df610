#!/usr/bin/env bash
# The official MCP conformance suite (server side) against examples/everything.rs:
# 0.1.16 with `--suite all`, and 0.2.0-alpha.12 with `--requirements 2025-11-25` and with
# `--requirements 2026-07-28` (which also runs the tasks extension's scenarios, not scored by
# the suite), and the skills extension's three scenarios (SEP-2640), one `--scenario` each
# (the suite's default era, 2026-07-28), where none of their checks may be skipped. Each run is gated on the results it saves (`-o`), by conformance_gate.py: any
# FAILURE or WARNING check fails it, and so do fewer scenarios or successful checks than
# .ci/conformance-minimums.txt commits for it.
set -euo pipefail
source "$(dirname "$0")/../lib/common.sh"
trap ci_cleanup EXIT

[ -f "$CI_ROOT/examples/everything.rs" ] || ci_die "examples/everything.rs is missing: nothing to test"

ci_node22
STABLE="0.1.16"
ALPHA="0.2.0-alpha.12"
MINIMUMS="$CI_ROOT/.ci/conformance-minimums.txt"
ci_npm_package "$CI_CACHE/conformance-$STABLE" @modelcontextprotocol/conformance "$STABLE"
ci_npm_package "$CI_CACHE/conformance-$ALPHA" @modelcontextprotocol/conformance "$ALPHA"

everything="$(ci_example everything)"
port="$(ci_free_port)"
url="http://127.0.0.1:$port/mcp"
server_log="$CI_CACHE/everything-conformance.log"
ci_start_server "$server_log" "$port" "$everything" "127.0.0.1:$port"

# run_suite VERSION LABEL ARGS...: runs one conformance version against $url (its results and
# log named by VERSION-LABEL), prints its summary and the gate's verdict, and returns non-zero
# when the suite or the gate failed. With NO_SKIPS=1 a skipped check fails the run too.
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
  [ "$status" -eq 0 ] || echo "the suite exited with status $status"
  # The suite exits 0 when only unscored scenarios (extensions, pending) fail, and ignores
  # warnings: the gate reads every check.
  local gate_flags=()
  [ "${NO_SKIPS:-0}" = 1 ] && gate_flags+=(--no-skips)
  python3 "$CI_ROOT/.ci/lib/conformance_gate.py" "$results" "$version-$label" "$MINIMUMS" \
    "${gate_flags[@]}" || status=1
  return "$status"
}

failures=()
run_suite "$STABLE" all --suite all || failures+=("$STABLE (--suite all)")
run_suite "$ALPHA" 2025-11-25 --requirements 2025-11-25 \
  || failures+=("$ALPHA (--requirements 2025-11-25)")
run_suite "$ALPHA" 2026-07-28 --requirements 2026-07-28 \
  || failures+=("$ALPHA (--requirements 2026-07-28)")
# The skills extension (SEP-2640): each scenario alone, every check exercised (a skipped
# check would mean a 2025-11-25 run or an undeclared extension).
for scenario in sep-2640-skills-directory sep-2640-skills-enumeration sep-2640-skills-manifest; do
  NO_SKIPS=1 run_suite "$ALPHA" "$scenario" --scenario "$scenario" \
    || failures+=("$ALPHA ($scenario)")
done

if [ "${#failures[@]}" -gt 0 ]; then
  echo "--- everything server log (last 40 lines)"
  tail -n 40 "$server_log"
  ci_die "conformance failed: ${failures[*]}"
fi
ci_log "PASS: conformance $STABLE (--suite all), $ALPHA (--requirements 2025-11-25 and 2026-07-28, tasks extension included; skills extension's three scenarios) in ${SECONDS}s"
