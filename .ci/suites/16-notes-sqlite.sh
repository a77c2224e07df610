#!/usr/bin/env bash
# examples/notes_sqlite driven by the official Python SDK client (pinned): tools, the
# notes://{id} template, completions, the prompt, subscriptions in both eras, deletion; then the
# server is stopped and started again on the same SQLite file, and the notes must be there.
set -euo pipefail
source "$(dirname "$0")/../lib/common.sh"
trap ci_cleanup EXIT

MCP_VERSION="2.3.0"
venv="$(ci_python_mcp "$MCP_VERSION")"
notes="$(ci_example notes_sqlite)"

work="$(mktemp -d)"
trap 'ci_cleanup; rm -rf "$work"' EXIT
export NOTES_DB="$work/notes.sqlite3"
state="$work/state.json"
log="$CI_CACHE/notes-sqlite.log"
: >"$log"

# run_phase PHASE: starts the server on a free port, runs the client's PHASE, stops the server.
run_phase() {
  local phase="$1" port pid
  port="$(ci_free_port)"
  ci_start_server "$log.$phase" "$port" "$notes" "127.0.0.1:$port"
  pid="${CI_PIDS[${#CI_PIDS[@]}-1]}"
  ci_log "mcp $MCP_VERSION (Python) -> notes_sqlite at http://127.0.0.1:$port/mcp, phase $phase (NOTES_DB=$NOTES_DB)"
  local status=0
  "$venv/bin/python" "$CI_ROOT/.ci/clients/python_notes.py" \
    --url "http://127.0.0.1:$port/mcp" --phase "$phase" --state "$state" || status=$?
  kill "$pid" 2>/dev/null || true
  wait "$pid" 2>/dev/null || true
  cat "$log.$phase" >>"$log"
  if [ "$status" -ne 0 ]; then
    echo "--- notes_sqlite log (last 40 lines)"
    tail -n 40 "$log.$phase"
    ci_die "Python SDK client $MCP_VERSION found failures against notes_sqlite ($phase)"
  fi
}

run_phase before
[ -s "$NOTES_DB" ] || ci_die "no database at $NOTES_DB after the first run"
run_phase after
ci_log "PASS: notes_sqlite with the Python SDK client $MCP_VERSION (both eras, subscriptions, restart on the same database) in ${SECONDS}s"
