#!/usr/bin/env bash
# bench_smoke_test: every lock_bench case with tiny counts and a 2 s cap, so
# CI sees that the benchmarks build, that every exactness check passes
# (lock_bench exits 1 otherwise) and that bench/report.py reads the JSON.
# Usage (from bench/BUILD): bench_smoke_test.sh LOCK_BENCH REPORT_PY
set -euo pipefail

bench=$1
report=$2
out=${TEST_TMPDIR:-$(mktemp -d)}

"$bench" --bench_scale=0.01 --bench_cap_s=2 --bench_repeats=1 \
  --benchmark_out="$out/smoke.json" --benchmark_out_format=json >"$out/console.txt"
/usr/bin/python3 "$report" "$out/smoke.json" --plots "$out" >"$out/report.txt"

# The report found the reference in the run and computed ratios against it.
grep -q "### Targets" "$out/report.txt"
grep -Eq "FutexLock \| [0-9.]+ ns \([0-9.]+x\)" "$out/report.txt"
for png in perf_counter perf_cs_sweep perf_handoff perf_fairness perf_values; do
  test -s "$out/$png.png"
done
echo "bench_smoke_test: every case ran and counted exactly"
