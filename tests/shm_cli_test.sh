#!/usr/bin/env bash
# tools/shm's binary as users run it: list shows a segment with its creator,
# attachments and objects; rm removes it; a bad name or option exits 2 with
# one line; gc runs.
set -euo pipefail
shm="$1"
peer="$2"
failures=0
name="test.$$.cli"

fail() {
  echo "FAIL: $*" >&2
  failures=$((failures + 1))
}

# expect_exit CODE "text stderr must contain" args...
expect_exit() {
  local want_code="$1" want="$2"
  shift 2
  local code=0
  "$shm" "$@" >"$TEST_TMPDIR/out" 2>"$TEST_TMPDIR/err" || code=$?
  [[ $code -eq $want_code ]] || fail "shm $*: exit $code, want $want_code"
  grep -qF -- "$want" "$TEST_TMPDIR/err" || fail "shm $*: stderr lacks '$want': $(cat "$TEST_TMPDIR/err")"
  [[ $(wc -l <"$TEST_TMPDIR/err") -eq 1 ]] || fail "shm $*: error is not one line: $(cat "$TEST_TMPDIR/err")"
}

"$peer" create "$name"
"$shm" list >"$TEST_TMPDIR/list"
line="$(grep -E "^$name " "$TEST_TMPDIR/list" || true)"
[[ -n "$line" ]] || fail "list lacks $name: $(cat "$TEST_TMPDIR/list")"
read -r _ bytes _ attached objects lifetime <<<"$line"
[[ "$attached" == 0 && "$objects" == 1 && "$lifetime" == persistent && "$bytes" -ge 4096 ]] ||
  fail "list row for $name: '$line'"
"$shm" >"$TEST_TMPDIR/default"
grep -qE "^$name " "$TEST_TMPDIR/default" || fail "no-argument run does not list $name"

"$shm" rm "$name" || fail "rm $name failed"
[[ ! -e "/dev/shm/billiard.$name" ]] || fail "rm left /dev/shm/billiard.$name"
expect_exit 1 "no segment '$name'" rm "$name"
expect_exit 2 "bad segment name 'a/b'" rm a/b
expect_exit 2 "bad segment name ''" rm ""
expect_exit 2 "--frobnicate" --frobnicate
expect_exit 2 "tools/shm:" rm
"$shm" gc >/dev/null || fail "gc failed"

((failures == 0)) || exit 1
echo "PASS"
