#!/usr/bin/env bash
# The MCP Inspector's CLI mode (pinned) against the quickstart over Streamable HTTP, the
# `stdio` example over stdio and the `composite` example (two servers as one) over HTTP:
# tools/list and tools/call.
set -euo pipefail
source "$(dirname "$0")/../lib/common.sh"
trap ci_cleanup EXIT

INSPECTOR_VERSION="2.12.0"
ci_node22
ci_npm_package "$CI_CACHE/inspector-$INSPECTOR_VERSION" @modelcontextprotocol/inspector "$INSPECTOR_VERSION"
inspector="$CI_CACHE/inspector-$INSPECTOR_VERSION/node_modules/.bin/mcp-inspector"
# The inspector keeps a catalog and storage under $HOME: keep them in the cache.
inspector_home="$CI_CACHE/inspector-home"
mkdir -p "$inspector_home"

quickstart="$(ci_example quickstart)"
stdio="$(ci_example stdio)"
composite="$(ci_example composite)"
port="$(ci_free_port)"
url="http://127.0.0.1:$port/mcp"
log="$CI_CACHE/quickstart-inspector.log"
ci_start_server "$log" "$port" "$quickstart" "127.0.0.1:$port"
composite_port="$(ci_free_port)"
composite_url="http://127.0.0.1:$composite_port/mcp"
ci_start_server "$CI_CACHE/composite-inspector.log" "$composite_port" "$composite" "127.0.0.1:$composite_port"

passed=0
failed=0
# check LABEL EXPECTED_STATUS PYTHON_ASSERTION -- INSPECTOR_ARGS...: runs the inspector CLI,
# then evaluates PYTHON_ASSERTION with `out` bound to its parsed JSON output.
check() {
  local label="$1" want_status="$2" assertion="$3"
  shift 4
  local out status=0
  out="$(HOME="$inspector_home" timeout 60 "$inspector" --cli "$@" 2>"$CI_CACHE/inspector-stderr.log")" || status=$?
  if [ "$status" -eq "$want_status" ] \
    && OUT="$out" python3 -c "import json, os, sys; out = json.loads(os.environ['OUT']); sys.exit(0 if ($assertion) else 1)"; then
    passed=$((passed + 1))
    echo "ok   $label"
  else
    failed=$((failed + 1))
    echo "FAIL $label (exit $status, expected $want_status): $out"
    cat "$CI_CACHE/inspector-stderr.log"
  fi
}

check "http tools/list" 0 \
  "[t['name'] for t in out['tools']] == ['add', 'divide', 'round'] and all(t['description'] and t['inputSchema']['type'] == 'object' for t in out['tools'])" \
  -- "$url" --method tools/list
check "http tools/call add(2, 3)" 0 \
  "out['content'] == [{'type': 'text', 'text': '5'}] and not out.get('isError')" \
  -- "$url" --method tools/call --tool-name add --tool-arg a=2 b=3
# The inspector exits 5 when a tool returns isError:true.
check "http tools/call divide(1, 0) is a tool error" 5 \
  "out['isError'] is True and 'division by zero' in out['content'][0]['text']" \
  -- "$url" --method tools/call --tool-name divide --tool-arg a=1 b=0
check "stdio tools/call add(2, 3.5)" 0 \
  "out['content'] == [{'type': 'text', 'text': '5.5'}]" \
  -- "$stdio" --method tools/call --tool-name add --tool-arg a=2 b=3.5
check "composite tools/list: the mounted server's tools are prefixed" 0 \
  "[t['name'] for t in out['tools']] == ['weather_forecast', 'weather_alerts', 'next_meeting']" \
  -- "$composite_url" --method tools/list
check "composite tools/call weather_forecast reaches the mounted server" 0 \
  "out['content'] == [{'type': 'text', 'text': 'Sunny in Oslo, 21 C.'}]" \
  -- "$composite_url" --method tools/call --tool-name weather_forecast --tool-arg city=Oslo
check "composite tools/call next_meeting reaches the merged server" 0 \
  "out['content'] == [{'type': 'text', 'text': 'Stand-up at 9:30.'}]" \
  -- "$composite_url" --method tools/call --tool-name next_meeting

echo "inspector-cli: $passed passed, $failed failed"
if [ "$failed" -gt 0 ]; then
  echo "--- quickstart log (last 20 lines)"
  tail -n 20 "$log"
  ci_die "MCP Inspector $INSPECTOR_VERSION CLI found failures"
fi
ci_log "PASS: MCP Inspector $INSPECTOR_VERSION CLI (http, stdio, a composite server) in ${SECONDS}s"
