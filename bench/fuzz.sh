#!/usr/bin/env bash
# Fuzzes the parsers the project owns (fuzz/*.cpp) with libFuzzer under ASan and UBSan: builds the
# targets with clang-14 in build-fuzz, then runs each for FUZZ_SECONDS (default 60) from its seed
# corpus fuzz/corpus/<target>. Prints each target's executions, and for a crash the report and the
# input (kept in build-fuzz/crashes/<target>/). Inputs the fuzzer adds go to build-fuzz/corpus, not
# into the source tree. Not part of the test suite.
# Usage: bash bench/fuzz.sh [TARGET...]   (default: every target)
set -euo pipefail
cd "$(dirname "$0")/.."
seconds=${FUZZ_SECONDS:-60}
targets=("$@")
[ ${#targets[@]} -gt 0 ] || targets=(standards_toml source_nodes_csv points_csv graph_cache osm_tags)

[ -f build-fuzz/CMakeCache.txt ] ||
  CC=clang-14 CXX=clang++-14 cmake -S . -B build-fuzz -DCMAKE_BUILD_TYPE=Asan -DHEALTHREACH_FUZZ=ON \
    -DBUILD_TESTING=OFF >/dev/null
cmake --build build-fuzz -j2 --target fuzz_targets

export ASAN_OPTIONS=detect_leaks=1:halt_on_error=1
export UBSAN_OPTIONS=halt_on_error=1:print_stacktrace=1
export ASAN_SYMBOLIZER_PATH=/usr/bin/llvm-symbolizer-14
crashed=0
for t in "${targets[@]}"; do
  corpus=build-fuzz/corpus/$t crashes=build-fuzz/crashes/$t log=build-fuzz/$t.log
  mkdir -p "$corpus" "$crashes"
  # -timeout: an input taking 10 s is a finding too (a hang), not a slow run.
  if build-fuzz/fuzz/fuzz_$t -max_total_time="$seconds" -timeout=10 -print_final_stats=1 \
       -artifact_prefix="$crashes/" "$corpus" "fuzz/corpus/$t" >"$log" 2>&1; then
    execs=$(awk '/stat::number_of_executed_units/ {print $2}' "$log")
    rate=$(awk '/stat::average_exec_per_sec/ {print $2}' "$log")
    printf '%-18s %10s executions in %s s (%s/s), corpus %s inputs\n' "$t" "$execs" "$seconds" "$rate" \
      "$(find "$corpus" "fuzz/corpus/$t" -type f | wc -l)"
  else
    crashed=1
    printf '%-18s CRASH (log: %s)\n' "$t" "$log"
    grep -A40 -m1 -E '^==[0-9]+==ERROR|runtime error|deadly signal|ALARM|out-of-memory' "$log" || tail -n 40 "$log"
    ls "$crashes"
  fi
done
exit $crashed
