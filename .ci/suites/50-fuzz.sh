#!/usr/bin/env bash
# The fuzz targets (fuzz/, a workspace of its own, cargo-fuzz layout): builds them all at once
# with libFuzzer's instrumentation, then runs each for MCP_FUZZ_SECONDS (30 by default) from
# its committed seeds. A crash or a failed property fails the suite, with the input that did it
# under fuzz/artifacts/<target>/ (fuzz/README.md says how to replay and minimize it).
#
# cargo-fuzz needs nightly rustc flags (-Zsanitizer): the nightly toolchain when the machine
# has one, otherwise the stable one with RUSTC_BOOTSTRAP=1.
set -euo pipefail
source "$(dirname "$0")/../lib/common.sh"

start=$(date +%s)
seconds="${MCP_FUZZ_SECONDS:-30}"
fuzz_version="0.13.2"
cd "$CI_ROOT"

cargo fmt --manifest-path fuzz/Cargo.toml -- --check \
  || ci_die "fuzz/ is not formatted (cargo fmt --manifest-path fuzz/Cargo.toml)"

# cargo-fuzz, installed once into the cache (keyed by its version) unless it is on PATH.
if ! cargo fuzz --version >/dev/null 2>&1; then
  root="$CI_CACHE/cargo-fuzz-$fuzz_version"
  if [ ! -x "$root/bin/cargo-fuzz" ]; then
    ci_log "installing cargo-fuzz $fuzz_version into $root"
    cargo install --quiet --locked --version "$fuzz_version" --root "$root" cargo-fuzz \
      || ci_die "cargo install cargo-fuzz $fuzz_version"
  fi
  export PATH="$root/bin:$PATH"
fi

toolchain=()
if rustup toolchain list 2>/dev/null | grep -q '^nightly'; then
  toolchain=(+nightly)
else
  ci_log "no nightly toolchain: building with the stable one and RUSTC_BOOTSTRAP=1"
  export RUSTC_BOOTSTRAP=1
fi

cd fuzz
# The sanitizer build takes minutes: kept outside the work tree, so later runs reuse it.
export CARGO_TARGET_DIR="${MCP_FUZZ_TARGET_DIR:-${MCP_CI_CACHE:-$HOME/.cache/mcp-rs-ci}/fuzz-target}"
cargo "${toolchain[@]}" fuzz build || ci_die "the fuzz targets do not build"

# libFuzzer options of each target: the JSON dictionary for those that read JSON text; no
# leak checks for router_post, whose runtime and endpoints outlive an input by design (with
# them, LeakSanitizer would scan the heap after nearly every input).
flags() {
  case "$1" in
    message | arguments | elicitation_schema) echo "-dict=json.dict" ;;
    router_post) echo "-detect_leaks=0" ;;
  esac
}

passed=0
failed=()
for target in $(cargo "${toolchain[@]}" fuzz list); do
  log="$(mktemp)"
  # shellcheck disable=SC2046 # the flags are words
  if cargo "${toolchain[@]}" fuzz run "$target" -- -max_total_time="$seconds" -rss_limit_mb=2048 \
    -print_final_stats=1 $(flags "$target") >"$log" 2>&1; then
    runs="$(grep -o 'stat::number_of_executed_units: [0-9]*' "$log" | grep -o '[0-9]*$' || echo '?')"
    cov="$(grep -o 'DONE *cov: [0-9]*' "$log" | grep -o '[0-9]*$' || echo '?')"
    ci_log "$target: $runs executions in ${seconds}s, coverage $cov, no crash"
    passed=$((passed + 1))
  else
    tail -n 60 "$log" >&2
    failed+=("$target")
  fi
  rm -f "$log"
done

echo "fuzz: $passed passed, ${#failed[@]} failed"
[ "${#failed[@]}" -eq 0 ] || ci_die "crashes in: ${failed[*]} (inputs under fuzz/artifacts/)"
ci_log "PASS: ${passed} fuzz targets ran ${seconds}s each without a crash in $(( $(date +%s) - start ))s"
