#!/usr/bin/env bash
# Instruction profile of one server kind under a bounded load, with valgrind's callgrind
# (instruction counts repeat across runs, whatever else the machine is doing).
#
#   bench/profile.sh KIND [CALLS] [CLIENTS]
#   e.g. bench/profile.sh ours-stateless-json 20000 16
#
# Writes bench/results/profile/callgrind.out.KIND and prints instructions per call and the
# top functions (inclusive and exclusive). Installs valgrind (apt-get) when it is missing.
set -euo pipefail
kind=${1:?usage: bench/profile.sh KIND [CALLS] [CLIENTS]}
calls=${2:-20000}
clients=${3:-16}
here=$(cd "$(dirname "$0")" && pwd)
if ! command -v valgrind >/dev/null || ! command -v callgrind_annotate >/dev/null; then
    echo "installing valgrind" >&2
    # The package lists may be missing or stale on a fresh machine.
    apt-get install -y valgrind >&2 || { apt-get update >&2 && apt-get install -y valgrind >&2; }
fi
export CARGO_TARGET_DIR=${CARGO_TARGET_DIR:-$here/target}
# MCP_BENCH_BIN=path profiles that binary instead of building the current tree.
if [ -n "${MCP_BENCH_BIN:-}" ]; then
    bin=$MCP_BENCH_BIN
else
    cargo build --release --manifest-path "$here/Cargo.toml" >&2
    bin=$CARGO_TARGET_DIR/release/mcp-bench
fi
out=$here/results/profile
mkdir -p "$out"
file=$out/callgrind.out.$kind
rm -f "$file" "$file".*
pin0=() pin1=()
if command -v taskset >/dev/null && [ "$(nproc)" -ge 2 ]; then pin0=(taskset -c 0) pin1=(taskset -c 1); fi
fifo=$(mktemp -u); mkfifo "$fifo"
"${pin0[@]}" valgrind --tool=callgrind --callgrind-out-file="$file" "$bin" serve "$kind" 127.0.0.1:0 >"$fifo" 2>"$out/valgrind.$kind.log" &
server=$!
trap 'kill $server 2>/dev/null || true; rm -f "$fifo"' EXIT
read -r _ addr <"$fifo"
# Warm up (connections, sessions, caches), then count only the measured calls.
"${pin1[@]}" "$bin" load "$kind" "$addr" --concurrency "$clients" --warmup 0 --seconds 600 --max-calls 2000 >&2
callgrind_control --zero "$server" >/dev/null
"${pin1[@]}" "$bin" load "$kind" "$addr" --concurrency "$clients" --warmup 0 --seconds 600 --max-calls "$calls"
callgrind_control --dump "$server" >/dev/null
kill -TERM $server; wait $server 2>/dev/null || true
# The first explicit dump is FILE.1; FILE itself holds what ran after it (shutdown).
dump=$file.1
# awk reads to the end: an early exit would SIGPIPE callgrind_annotate under pipefail.
total=$(callgrind_annotate "$dump" 2>/dev/null | awk '/PROGRAM TOTALS/ && !found {gsub(",","",$1); print $1; found=1}')
[ -n "$total" ] || { echo "no instruction total in $dump" >&2; exit 1; }
echo "$total" >"$out/$kind.total"
echo "$kind: $total instructions for $calls calls (plus one session opened per client when stateful): $((total / calls)) per call"
echo "profile: $dump"
callgrind_annotate --inclusive=yes "$dump" 2>/dev/null | sed -n '1,60p' >"$out/$kind.inclusive.txt"
callgrind_annotate "$dump" 2>/dev/null | sed -n '1,60p' >"$out/$kind.exclusive.txt"
