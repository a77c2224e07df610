#!/usr/bin/env bash
# The runtime's metrics scraped by a real Prometheus (Debian's `prometheus` package, run in the
# foreground here, never as a service): the `everything` example serves them at GET /metrics
# (the `prometheus` feature); the official Python SDK client (pinned) calls a tool; Prometheus,
# configured to scrape every second, must then answer its query API with a non-zero
# `mcp_server_operation_duration_seconds_count` for `tools/call` with the tool's name.
set -euo pipefail
source "$(dirname "$0")/../lib/common.sh"
trap ci_cleanup EXIT

MCP_VERSION="2.3.0"

if ! command -v prometheus >/dev/null; then
  ci_log "installing Debian's prometheus package"
  export DEBIAN_FRONTEND=noninteractive
  apt-get install -y --no-install-recommends prometheus >/dev/null \
    || { apt-get update >/dev/null && apt-get install -y --no-install-recommends prometheus >/dev/null; } \
    || ci_die "apt-get install prometheus"
fi
venv="$(ci_python_mcp "$MCP_VERSION")"
everything="$(ci_example everything)"

work="$CI_CACHE/prometheus"
rm -rf "$work"
mkdir -p "$work/tsdb"
server_port="$(ci_free_port)"
ci_start_server "$work/everything.log" "$server_port" "$everything" "127.0.0.1:$server_port"
curl -fsS "http://127.0.0.1:$server_port/metrics" >"$work/first-scrape.txt" \
  || ci_die "GET /metrics on the everything example failed"

prometheus_port="$(ci_free_port)"
cat >"$work/prometheus.yml" <<YAML
global:
  scrape_interval: 1s
  evaluation_interval: 1s
scrape_configs:
  - job_name: mcp-everything
    metrics_path: /metrics
    static_configs:
      - targets: ["127.0.0.1:$server_port"]
YAML
ci_start_server "$work/prometheus.log" "$prometheus_port" prometheus \
  --config.file="$work/prometheus.yml" --storage.tsdb.path="$work/tsdb" \
  --web.listen-address="127.0.0.1:$prometheus_port"
prometheus_pid="${CI_PIDS[-1]}"

fail() {
  for log in everything prometheus; do
    echo "--- $log log (last 20 lines)"
    tail -n 20 "$work/$log.log" || true
  done
  ci_die "$@"
}

ci_log "mcp $MCP_VERSION (Python) -> everything at http://127.0.0.1:$server_port/mcp; Prometheus at 127.0.0.1:$prometheus_port"
"$venv/bin/python" - "http://127.0.0.1:$server_port/mcp" <<'PY' || fail "the Python client's tools/call failed"
import asyncio
import sys

from mcp.client import Client


async def main() -> None:
    async with Client(sys.argv[1], mode="legacy", read_timeout_seconds=20) as client:
        for _ in range(3):
            result = await client.call_tool("test_simple_text", {})
            assert not result.is_error, result


asyncio.run(main())
PY

# Prometheus scrapes every second: the three calls show within a few scrapes.
query='mcp_server_operation_duration_seconds_count{mcp_method_name="tools/call",gen_ai_tool_name="test_simple_text"}'
count=""
for _ in $(seq 1 30); do
  answer="$(curl -fsS -G "http://127.0.0.1:$prometheus_port/api/v1/query" --data-urlencode "query=$query" || true)"
  count="$(python3 -c 'import json,sys
try:
    result = json.loads(sys.argv[1])["data"]["result"]
except (ValueError, KeyError):
    result = []
print(sum(float(r["value"][1]) for r in result))' "$answer")"
  if python3 -c 'import sys; sys.exit(0 if float(sys.argv[1]) >= 3 else 1)' "$count"; then
    break
  fi
  sleep 1
done
python3 -c 'import sys; sys.exit(0 if float(sys.argv[1]) >= 3 else 1)' "$count" \
  || fail "Prometheus answered $query with ${count:-nothing} (expected 3): ${answer:-no answer}"

kill -TERM "$prometheus_pid"
wait "$prometheus_pid" || true
ci_log "PASS: Prometheus $(prometheus --version 2>&1 | head -1 | awk '{print $3}') scraped everything's /metrics: $query = $count, in ${SECONDS}s"
