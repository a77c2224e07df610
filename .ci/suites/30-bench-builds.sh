#!/usr/bin/env bash
# The benchmark (bench/, its own workspace, with rmcp and bare axum beside ours) still builds
# against the current runtime (fmt, clippy -D warnings) and its own tests pass (the load
# generator's answer check, the report's verdicts and ratios): `cargo test --workspace` at the
# root does not run them. The benchmark itself is not run here: it prints figures for people
# to read, it does not gate CI on a noisy machine.
set -euo pipefail
source "$(dirname "$0")/../lib/common.sh"

start=$(date +%s)
cd "$CI_ROOT"
cargo fmt --manifest-path bench/Cargo.toml -- --check || ci_die "bench/ is not formatted (cargo fmt --manifest-path bench/Cargo.toml)"
cargo clippy --quiet --manifest-path bench/Cargo.toml --all-targets -- -D warnings \
  || ci_die "bench/ does not build cleanly against the current runtime"
cargo test --manifest-path bench/Cargo.toml || ci_die "bench/'s tests failed"
ci_log "PASS: bench/ builds against the current runtime (fmt, clippy -D warnings) and its tests pass in $(( $(date +%s) - start ))s"
