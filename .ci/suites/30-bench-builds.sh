#!/usr/bin/env bash
# The benchmark (bench/, its own workspace, with rmcp and bare axum beside ours) still builds
# against the current runtime: fmt and clippy -D warnings. It is not run here: a benchmark
# prints figures for people to read, it does not gate CI on a noisy machine.
set -euo pipefail
source "$(dirname "$0")/../lib/common.sh"

start=$(date +%s)
cd "$CI_ROOT"
cargo fmt --manifest-path bench/Cargo.toml -- --check || ci_die "bench/ is not formatted (cargo fmt --manifest-path bench/Cargo.toml)"
cargo clippy --quiet --manifest-path bench/Cargo.toml --all-targets -- -D warnings \
  || ci_die "bench/ does not build cleanly against the current runtime"
ci_log "PASS: bench/ builds against the current runtime (fmt, clippy -D warnings) in $(( $(date +%s) - start ))s"
