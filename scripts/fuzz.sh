#!/usr/bin/env bash
# Runs every libFuzzer target for a while, each on a scratch copy of its
# committed corpus, and prints how many inputs each ran and what it found.
# Usage: scripts/fuzz.sh [SECONDS_PER_TARGET]   (default 60; FUZZ_BUILD=build-fuzz)
# New crashes are left in $FUZZ_BUILD/fuzz-out/<target>/; add the ones worth
# keeping to the target's corpus once fixed.
set -euo pipefail
cd "$(dirname "$0")/.."
seconds=${1:-60}
build=${FUZZ_BUILD:-build-fuzz}

CC=clang cmake -S . -B "$build" -DFUZZ=ON -DSANITIZE=ON -DCMAKE_BUILD_TYPE=RelWithDebInfo >/dev/null
cmake --build "$build" -j "$(nproc)" >/dev/null

# target -> committed corpus
declare -A corpus=(
  [fuzz-shim_request]=tests/fuzz/shim/corpus/request
  [fuzz-shim_expr]=tests/fuzz/shim/corpus/expr
  [fuzz-function]=tests/unit/function/corpus
  [fuzz-emulator]=tests/unit/emulator/corpus
  [fuzz-sigcheck]=tests/fuzz/lib/corpus/sigcheck
)
status=0
for bin in "$build"/bin/fuzz-*; do
  name=$(basename "$bin")
  out="$build/fuzz-out/$name"
  rm -rf "$out" && mkdir -p "$out/corpus"
  src=${corpus[$name]:-}
  [ -n "$src" ] && cp "$src"/* "$out/corpus/" 2>/dev/null || true
  (cd "$out" && "$OLDPWD/$bin" -max_total_time="$seconds" -max_len=8192 -rss_limit_mb=4096 \
      -print_final_stats=1 corpus >log 2>&1) || status=1
  runs=$(sed -n 's/^stat::number_of_executed_units: //p' "$out/log")
  found=$(ls "$out" | grep -cE '^(crash|leak|timeout|oom)-' || true)
  printf '%-22s %12s runs in %ss, %s finding(s)%s\n' "$name" "${runs:-?}" "$seconds" "$found" \
    "$([ "$found" -gt 0 ] && echo " -> $out" || true)"
  [ "$found" -gt 0 ] && status=1
done
exit $status
