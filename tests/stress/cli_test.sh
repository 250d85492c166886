#!/usr/bin/env bash
# tools/stress's binary as users run it: a bad option exits 2 with one line
# naming the value and what is accepted; --list works; a small run writes the
# JSON (every row, every field) and the plot.
set -euo pipefail
stress="$1"
export MPLCONFIGDIR="$TEST_TMPDIR/matplotlib"  # matplotlib's cache, somewhere writable
failures=0

fail() {
  echo "FAIL: $*" >&2
  failures=$((failures + 1))
}

# expect_usage_error "text stderr must contain" args...
expect_usage_error() {
  local want="$1"
  shift
  local code=0
  "$stress" "$@" >"$TEST_TMPDIR/out" 2>"$TEST_TMPDIR/err" || code=$?
  [[ $code -eq 2 ]] || fail "stress $*: exit $code, want 2"
  grep -qF -- "$want" "$TEST_TMPDIR/err" || fail "stress $*: stderr lacks '$want': $(cat "$TEST_TMPDIR/err")"
  [[ $(wc -l <"$TEST_TMPDIR/err") -eq 1 ]] || fail "stress $*: error is not one line: $(cat "$TEST_TMPDIR/err")"
}

expect_usage_error "unknown lock 'Foo'; accepted: FutexLock, TicketLock, SpinLock, PthreadMutex, RobustLock, RecursiveLock<FutexLock>, SeqLock, none" --lock Foo
expect_usage_error "unknown scenario 'nope'; accepted: counter, race, array, matrix, circular-buffer, circular-buffer-blocking, stats, stats-condition, torn-read" --scenario nope
expect_usage_error "unknown typecode 'z'; accepted: b B h H i I l L q Q f d" --typecode z
expect_usage_error "typecode 'c' is a character, not a number" --typecode c
expect_usage_error "--procs 1 is out of range; accepted: 2 to 256" --procs 1
expect_usage_error "--iters 0 is out of range" --iters 0
expect_usage_error "--kills 0 is out of range; accepted: 1 to 1000000" --kills 0
expect_usage_error "abc" --procs abc
expect_usage_error "--bogus" --bogus
expect_usage_error "cannot write --json '$TEST_TMPDIR/no/such/dir/r.json'" --json "$TEST_TMPDIR/no/such/dir/r.json"

# Property: any mix of options and values after --list (so nothing runs)
# exits 0 or exits 2 with one line on stderr; never a crash or another code.
tokens=(--scenario --lock --typecode --procs --iters --seed --timeout --kills --json --plot --list
  race owner-death Foo none SeqLock "RecursiveLock<FutexLock>" l c z 2 0 -1 999999999999 abc "" ",," "$TEST_TMPDIR/j")
RANDOM=2026
for trial in $(seq 1 300); do
  args=()
  for _ in $(seq 0 $((RANDOM % 6))); do args+=("${tokens[RANDOM % ${#tokens[@]}]}"); done
  code=0
  "$stress" --list "${args[@]}" >/dev/null 2>"$TEST_TMPDIR/err" || code=$?
  if [[ $code -eq 2 ]]; then
    [[ $(wc -l <"$TEST_TMPDIR/err") -eq 1 ]] || fail "stress --list ${args[*]}: exit 2 without one line: $(cat "$TEST_TMPDIR/err")"
  elif [[ $code -ne 0 ]]; then
    fail "stress --list ${args[*]}: exit $code (trial $trial)"
  fi
done

"$stress" --list >"$TEST_TMPDIR/list" || fail "--list exited $?"
grep -q "circular-buffer" "$TEST_TMPDIR/list" || fail "--list does not name circular-buffer"

code=0
"$stress" --scenario race --scenario torn-read --iters 2000 --json "$TEST_TMPDIR/r.json" --plot "$TEST_TMPDIR/r.png" \
  >"$TEST_TMPDIR/table" 2>"$TEST_TMPDIR/progress" || code=$?
[[ $code -eq 0 ]] || fail "small run exited $code: $(cat "$TEST_TMPDIR/progress")"
grep -q "^race *synchronized *SeqLock" "$TEST_TMPDIR/table" || fail "the table has no race SeqLock row"
grep -q "^\[ *1/18\] race raw none" "$TEST_TMPDIR/progress" || fail "no progress on stderr"
/usr/bin/python3 - "$TEST_TMPDIR/r.json" <<'PY' || fail "the JSON is not the report"
import json, sys
rows = json.load(open(sys.argv[1]))["results"]
fields = {"scenario", "variant", "lock", "typecode", "processes", "iterations", "expected", "observed", "lost",
          "violations", "seconds"}
assert len(rows) == 18, len(rows)
for row in rows:
    assert fields <= row.keys(), fields - row.keys()
    if row["variant"] != "raw":
        assert row["lost"] == 0 and row["violations"] == 0, row
PY
[[ "$(head -c 8 "$TEST_TMPDIR/r.png" | od -An -tx1 | tr -d ' \n')" == 89504e470d0a1a0a ]] || fail "the plot is not a PNG"

# kill-anywhere, small, on the kind that reports owner death: exit 0 and its figures in the JSON.
code=0
"$stress" --scenario kill-anywhere --lock RobustLock --kills 20 --procs 3 --json "$TEST_TMPDIR/k.json" \
  >"$TEST_TMPDIR/table" 2>"$TEST_TMPDIR/progress" || code=$?
[[ $code -eq 0 ]] || fail "kill-anywhere run exited $code: $(cat "$TEST_TMPDIR/table")"
grep -q "^  RobustLock .* 20 kills" "$TEST_TMPDIR/table" || fail "no kill-anywhere line for RobustLock: $(cat "$TEST_TMPDIR/table")"
/usr/bin/python3 - "$TEST_TMPDIR/k.json" <<'PY' || fail "kill-anywhere's JSON is not the report"
import json, sys
rows = json.load(open(sys.argv[1]))["results"]
assert len(rows) == 1, rows
row = rows[0]
assert row["scenario"] == "kill-anywhere" and row["lock"] == "RobustLock", row
assert row["kills"] == 20 and row["hangs"] == 0 and row["double_holders"] == 0 and row["lost"] == 0, row
assert row["kills"] == row["holder_kills"] + row["waiter_kills"] + row["reader_kills"] + row["other_kills"], row
assert row["reports_owner_death"] is True, row
PY

((failures == 0)) || exit 1
echo "PASS"
