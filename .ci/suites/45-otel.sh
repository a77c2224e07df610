#!/usr/bin/env bash
# Traces by the OpenTelemetry semantic conventions for MCP, end to end with real components:
# an OTLP/HTTP receiver (.ci/otel/receiver.py, decoding with the official `opentelemetry-proto`
# package), the quickstart, `everything` and `stdio` examples exporting to it (the `otel`
# feature, OTEL_EXPORTER_OTLP_ENDPOINT set), and the official Python SDK client (pinned) under
# its own OpenTelemetry tracer, which puts `traceparent` into every request's `_meta`
# (.ci/otel/otel_client.py). The servers are stopped by SIGTERM (they flush their spans as they
# exit), then every client request must have exactly one SERVER span of ours as its child in
# the same trace, with the convention's name and attributes; plus tool and JSON-RPC errors,
# 2026-07-28 without a session, stdio's `pipe`, the `_meta` of a sampling request the server
# sends, and the HTTP `traceparent` header as the parent (or a link when `_meta` has one).
# Metrics too: the quickstart's `mcp.server.operation.duration` (and session duration) arrive
# at the same receiver as ExportMetricsServiceRequest, exported every second
# (OTEL_METRIC_EXPORT_INTERVAL) and at shutdown, with the convention's name, unit and attributes.
set -euo pipefail
source "$(dirname "$0")/../lib/common.sh"
trap ci_cleanup EXIT

MCP_VERSION="2.3.0"
OTEL_PY_VERSION="1.45.2" # opentelemetry-sdk (the client's tracer) and opentelemetry-proto

# A venv of its own: the other suites' venv holds the SDK alone.
venv="$CI_CACHE/py-otel-$MCP_VERSION-$OTEL_PY_VERSION"
pins=("mcp==$MCP_VERSION" "opentelemetry-sdk==$OTEL_PY_VERSION" "opentelemetry-proto==$OTEL_PY_VERSION")
if [ ! -x "$venv/bin/python" ] \
  || ! "$venv/bin/python" -c "import mcp.client, opentelemetry.sdk.trace, opentelemetry.proto.collector.trace.v1.trace_service_pb2" 2>/dev/null; then
  ci_log "creating $venv with ${pins[*]}"
  rm -rf "$venv"
  python3 -m venv "$venv"
  "$venv/bin/pip" install --quiet --disable-pip-version-check "${pins[@]}" || ci_die "pip install ${pins[*]}"
fi
for pin in "${pins[@]}"; do
  name="${pin%%==*}" want="${pin##*==}"
  got="$("$venv/bin/python" -c "from importlib.metadata import version; print(version('$name'))")"
  [ "$got" = "$want" ] || ci_die "venv has $name $got, expected $want"
done

quickstart="$(ci_example quickstart)"
everything="$(ci_example everything)"
stdio="$(ci_example stdio)"

work="$CI_CACHE/otel"
rm -rf "$work"
mkdir -p "$work"
spans="$work/spans.jsonl"
points="$work/metrics.jsonl"
receiver_port="$(ci_free_port)"
endpoint="http://127.0.0.1:$receiver_port"
ci_start_server "$work/receiver.log" "$receiver_port" \
  "$venv/bin/python" "$CI_ROOT/.ci/otel/receiver.py" --port "$receiver_port" --out "$spans" --metrics-out "$points"

quickstart_port="$(ci_free_port)"
ci_start_server "$work/quickstart.log" "$quickstart_port" env OTEL_EXPORTER_OTLP_ENDPOINT="$endpoint" \
  OTEL_METRIC_EXPORT_INTERVAL=1000 OTEL_SERVICE_NAME=ci-quickstart "$quickstart" "127.0.0.1:$quickstart_port"
quickstart_pid="${CI_PIDS[-1]}"
everything_port="$(ci_free_port)"
ci_start_server "$work/everything.log" "$everything_port" env OTEL_EXPORTER_OTLP_ENDPOINT="$endpoint" \
  OTEL_SERVICE_NAME=ci-everything "$everything" "127.0.0.1:$everything_port"
everything_pid="${CI_PIDS[-1]}"

fail() {
  for log in quickstart everything receiver; do
    echo "--- $log log (last 20 lines)"
    tail -n 20 "$work/$log.log" || true
  done
  ci_die "$@"
}

ci_log "mcp $MCP_VERSION (Python) with opentelemetry-sdk $OTEL_PY_VERSION -> quickstart, everything, stdio; OTLP receiver at $endpoint"
"$venv/bin/python" "$CI_ROOT/.ci/otel/otel_client.py" run \
  --quickstart "http://127.0.0.1:$quickstart_port/mcp" \
  --everything "http://127.0.0.1:$everything_port/mcp" \
  --stdio "$stdio" --endpoint "$endpoint" --out "$work/client.json" \
  || fail "the client's run found failures (see above)"

# SIGTERM: each server drains, returns from main and flushes its spans (the stdio example
# flushed when the client closed its stdin).
for pid in "$quickstart_pid" "$everything_pid"; do
  kill -TERM "$pid"
  wait "$pid" || fail "server $pid exited with $? after SIGTERM"
done
ci_log "servers stopped; the receiver holds $(wc -l <"$spans") spans and $(wc -l <"$points") metric points"

"$venv/bin/python" "$CI_ROOT/.ci/otel/otel_client.py" check --client "$work/client.json" --spans "$spans" \
  || fail "the span checks found failures (see above)"
"$venv/bin/python" "$CI_ROOT/.ci/otel/otel_client.py" check-metrics --metrics "$points" \
  || fail "the metric checks found failures (see above)"

ci_log "PASS: MCP traces and metrics (semantic-conventions-genai v0.1.0) exported over OTLP/HTTP by quickstart, everything and stdio, parented by the Python SDK $MCP_VERSION client's spans through _meta, in ${SECONDS}s"
