#!/usr/bin/env bash
# The callgrind table: instructions per `tools/call` of every server kind (server process
# only, via profile.sh) and of the load generator itself, written to bench/results/callgrind.md.
# Instruction counts repeat across runs whatever else the machine does, unlike wall-clock.
#
#   bench/callgrind.sh [CALLS] [CLIENTS]      (default 20000 16; a few minutes)
#
# Installs valgrind (apt-get) when it is missing; MCP_BENCH_BIN=path uses that binary.
set -euo pipefail
calls=${1:-20000}
clients=${2:-16}
here=$(cd "$(dirname "$0")" && pwd)
export CARGO_TARGET_DIR=${CARGO_TARGET_DIR:-$here/target}
if [ -z "${MCP_BENCH_BIN:-}" ]; then
    cargo build --release --manifest-path "$here/Cargo.toml" >&2
    export MCP_BENCH_BIN=$CARGO_TARGET_DIR/release/mcp-bench
fi
bin=$MCP_BENCH_BIN
# The tree measured, taken before the runs (a commit made meanwhile is not what ran).
commit=$(git -C "$here" rev-parse --short HEAD 2>/dev/null || echo unknown)
if [ -n "$(git -C "$here/.." status --porcelain -- bench mcp-runtime mcp-macros 2>/dev/null)" ]; then
    commit="$commit (with uncommitted changes)"
fi
out=$here/results/profile
mkdir -p "$out"
kinds=(axum ours-stateless-json ours-stateless-json-auth ours-stateful-json ours-stateful-sse ours-2026-json ours-2026-sse rmcp-stateless-json rmcp-stateful-sse rmcp-2026-json)
declare -A per_call
for kind in "${kinds[@]}"; do
    "$here/profile.sh" "$kind" "$calls" "$clients" >&2
    per_call[$kind]=$(( $(cat "$out/$kind.total") / calls ))
done

pin0=() pin1=()
if command -v taskset >/dev/null && [ "$(nproc)" -ge 2 ]; then pin0=(taskset -c 0) pin1=(taskset -c 1); fi
# generator_total KIND N: instructions of a whole `mcp-bench load` run of N calls against a
# server of KIND running natively.
generator_total() {
    local kind=$1 n=$2 fifo server file=$out/callgrind.out.generator-$1-$2
    fifo=$(mktemp -u); mkfifo "$fifo"
    "${pin0[@]}" "$bin" serve "$kind" 127.0.0.1:0 >"$fifo" &
    server=$!
    read -r _ addr <"$fifo"
    rm -f "$fifo"
    "${pin1[@]}" valgrind --tool=callgrind --callgrind-out-file="$file" "$bin" load "$kind" "$addr" \
        --concurrency "$clients" --warmup 0 --seconds 600 --max-calls "$n" >&2 2>"$out/valgrind.generator.log"
    kill -TERM "$server"; wait "$server" 2>/dev/null || true
    callgrind_annotate "$file" 2>/dev/null | awk '/PROGRAM TOTALS/ && !found {gsub(",","",$1); print $1; found=1}'
}
# The generator's fixed costs (runtime, connections, sessions) cancel out in the difference
# between a long and a short run.
short=2000
declare -A generator
for kind in axum ours-stateful-sse; do
    long_total=$(generator_total "$kind" $((short + calls)))
    short_total=$(generator_total "$kind" "$short")
    generator[$kind]=$(( (long_total - short_total) / calls ))
done

k() { awk -v n="$1" 'BEGIN { printf "%.1fk", n / 1000 }'; }
ratio() { awk -v o="$1" -v a="$2" 'BEGIN { printf "%.2fx", o / a }'; }
verdict() { awk -v o="$1" -v a="$2" -v most="$3" 'BEGIN { print (o / a <= most) ? "met" : "**missed**" }'; }
file=$here/results/callgrind.md
cat >"$file" <<MD
# Instructions per tools/call (callgrind)

Written by \`bench/callgrind.sh $calls $clients\` on $(date -u '+%Y-%m-%d %H:%M UTC'), commit $commit,
$(valgrind --version), $(rustc --version | cut -d' ' -f1-2). Do not edit by hand: run the script.

Server rows: instructions executed by the server process (\`bench/profile.sh KIND $calls $clients\`:
the server under \`valgrind --tool=callgrind\`, counters zeroed after 2000 warm-up calls, then
$calls calls from $clients clients, plus one session opened per client when stateful), divided by
$calls. Generator rows: instructions executed by \`mcp-bench load\` itself, which checks every reply,
against a server running natively; a run of $short calls is subtracted from one of $((short + calls))
so that start-up, connections and sessions cancel out.

| server | stateless JSON | stateful JSON | stateful SSE | 2026-07-28 JSON | 2026-07-28 SSE |
| --- | ---: | ---: | ---: | ---: | ---: |
| bare axum | $(k "${per_call[axum]}") | – | – | – | – |
| ours | $(k "${per_call[ours-stateless-json]}") | $(k "${per_call[ours-stateful-json]}") | $(k "${per_call[ours-stateful-sse]}") | $(k "${per_call[ours-2026-json]}") | $(k "${per_call[ours-2026-sse]}") |
| ours behind mcp-auth (a known token) | $(k "${per_call[ours-stateless-json-auth]}") | – | – | – | – |
| rmcp 3.11.0 | $(k "${per_call[rmcp-stateless-json]}") | – | $(k "${per_call[rmcp-stateful-sse]}") | $(k "${per_call[rmcp-2026-json]}") | – |
| load generator (client side) | $(k "${generator[axum]}") (against bare axum) | – | $(k "${generator[ours-stateful-sse]}") (against ours) | – | – |

## Targets (issue: Performance round 2)

| target | measured | verdict |
| --- | --- | --- |
| stateless JSON: ≤ 1.2x bare axum's instructions per call | $(k "${per_call[ours-stateless-json]}") vs $(k "${per_call[axum]}"): $(ratio "${per_call[ours-stateless-json]}" "${per_call[axum]}") | $(verdict "${per_call[ours-stateless-json]}" "${per_call[axum]}" 1.2) |
| every mode reported (server rows above) | 5 modes | reported |
MD
cat "$file"
