#!/usr/bin/env bash
# The official Python MCP SDK client (pinned) against the quickstart over Streamable HTTP,
# against the `stdio` example over stdio, and against `everything` for serverInfo's display
# fields, resource annotations and its MCP App (the tool's `_meta.ui.resourceUri` and the
# `ui://` view, in both eras).
set -euo pipefail
source "$(dirname "$0")/../lib/common.sh"
trap ci_cleanup EXIT

MCP_VERSION="2.3.0"
venv="$(ci_python_mcp "$MCP_VERSION")"

quickstart="$(ci_example quickstart)"
stdio="$(ci_example stdio)"
everything="$(ci_example everything)"
port="$(ci_free_port)"
log="$CI_CACHE/quickstart-python-client.log"
ci_start_server "$log" "$port" "$quickstart" "127.0.0.1:$port"
everything_port="$(ci_free_port)"
everything_log="$CI_CACHE/everything-python-client.log"
ci_start_server "$everything_log" "$everything_port" "$everything" "127.0.0.1:$everything_port"

ci_log "mcp $MCP_VERSION (Python) -> quickstart at http://127.0.0.1:$port/mcp, stdio example"
if "$venv/bin/python" "$CI_ROOT/.ci/clients/python_client.py" \
  --url "http://127.0.0.1:$port/mcp" --stdio "$stdio" \
  --everything "http://127.0.0.1:$everything_port/mcp" \
  && "$venv/bin/python" "$CI_ROOT/.ci/clients/python_modern.py" "http://127.0.0.1:$port/mcp"; then
  ci_log "PASS: Python SDK client $MCP_VERSION (http legacy+auto, stdio legacy+auto, auto speaks 2026-07-28; everything's serverInfo, annotations and MCP App) in ${SECONDS}s"
else
  echo "--- quickstart log (last 40 lines)"
  tail -n 40 "$log"
  ci_die "Python SDK client $MCP_VERSION found failures (see above)"
fi
