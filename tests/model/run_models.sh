#!/usr/bin/env bash
# Model-checks the lock algorithms' Promela models with Spin (docs/model-checking.md).
#
#   bash tests/model/run_models.sh [DIR]
#   MODELS="queue" bash tests/model/run_models.sh   only these models
#
# DIR holds the .pml files (default: this script's directory). For each model
# it checks the algorithm as written (pan must report "errors: 0" after a
# complete search) and then each deliberately broken variant (pan must find
# the error that variant is meant to cause, which shows that the property can
# fail). Needs spin and a C compiler, no network. Temporary files go under
# $TEST_TMPDIR when set (Bazel), else under a fresh mktemp -d directory.
# Exits non-zero on any unexpected outcome.
set -euo pipefail

dir=${1:-$(dirname "${BASH_SOURCE[0]}")}
dir=$(cd "$dir" && pwd)

spin=$(command -v spin) || { echo "run_models: spin not found on PATH (apt-get install spin)" >&2; exit 2; }
cc=$(command -v gcc || command -v cc) || { echo "run_models: no C compiler (gcc) on PATH" >&2; exit 2; }

if [[ -n ${TEST_TMPDIR:-} ]]; then
  work=$(mktemp -d "$TEST_TMPDIR/models.XXXXXX")
else
  work=$(mktemp -d "${TMPDIR:-/tmp}/billiard-models.XXXXXX")
fi
trap 'rm -rf "$work"' EXIT

# Deep enough for every model here; pan says so if it is not, and that fails
# the check (an incomplete search proves nothing).
depth=200000
failures=0
n=0

# check MODEL LABEL DEFINES PANFLAGS EXPECT WHAT
#   MODEL    the .pml file's base name
#   LABEL    what to print after the model's name ("" for the algorithm as
#            written, else the variant's name)
#   DEFINES  -D flags for spin (which variant, which assertions)
#   PANFLAGS extra pan flags: -E ignores invalid end states, -A ignores
#            assertions, so that a broken variant is judged on its property
#   EXPECT   "ok" (no error), or the text pan must report for the error
#   WHAT     the properties checked / the property that must fail
check() {
  local model=$1 label=$2 defines=$3 panflags=$4 expect=$5 what=$6
  [[ -z ${MODELS:-} || " $MODELS " == *" $model "* ]] || return 0
  local run="$work/$((n += 1))"
  local name=$model${label:+ $label}
  mkdir "$run"
  cp "$dir/$model.pml" "$run/"
  local out
  # shellcheck disable=SC2086 # the flags are word lists
  if ! out=$(cd "$run" &&
             "$spin" $defines -a "$model.pml" 2>&1 &&
             "$cc" -O2 -DSAFETY -o pan pan.c 2>&1 &&
             ./pan -m"$depth" $panflags 2>&1); then
    echo "$name: FAILED: spin, the compiler or pan did not run"
    echo "$out" | tail -20 | sed 's/^/    /'
    failures=$((failures + 1))
    return
  fi
  local errors states secs
  errors=$(echo "$out" | sed -n 's/.*errors: \([0-9]*\).*/\1/p' | tail -1)
  states=$(echo "$out" | awk '/states, stored/ { print $1; exit }')
  secs=$(echo "$out" | sed -n 's/^pan: elapsed time \([0-9.e+-]*\) seconds.*/\1/p' | tail -1)
  if echo "$out" | grep -q "max search depth too small"; then
    echo "$name: FAILED: search depth $depth too small: the search was not complete"
    failures=$((failures + 1))
  elif [[ $expect == ok ]]; then
    if [[ $errors == 0 ]]; then
      echo "$name: $what: ok ($states states, ${secs:-?} s)"
    else
      echo "$name: $what: FAILED, pan found an error:"
      echo "$out" | grep '^pan:1:' | sed 's/^/    /'
      echo "    counterexample (spin $defines -t -p $model.pml):"
      # shellcheck disable=SC2086
      (cd "$run" && "$spin" $defines -t -p -g "$model.pml" 2>&1 | tail -40 | sed 's/^/    /')
      failures=$((failures + 1))
    fi
  else
    if [[ ${errors:-0} != 0 ]] && echo "$out" | grep '^pan:1:' | grep -qF -- "$expect"; then
      echo "$name: error found as expected: $what ($expect, after $states states)"
    elif [[ ${errors:-0} != 0 ]]; then
      echo "$name: FAILED: expected \"$expect\" ($what), pan found instead:"
      echo "$out" | grep '^pan:1:' | sed 's/^/    /'
      failures=$((failures + 1))
    else
      echo "$name: FAILED: expected \"$expect\" ($what), pan found no error ($states states)"
      failures=$((failures + 1))
    fi
  fi
}

deadlock="invalid end state"

# FutexLock (futex_lock.pml), with its hand-off to starving waiters
check futex_lock "" "" "" ok "mutual exclusion, no lost wake-up"
check futex_lock BROKEN_ACQUIRE "-DBROKEN_ACQUIRE" "-E" "assertion violated (incs==1)" "mutual exclusion"
check futex_lock BROKEN_UNLOCK "-DBROKEN_UNLOCK" "-A" "$deadlock" "lost wake-up"
check futex_lock BROKEN_NOWAITERS "-DBROKEN_NOWAITERS" "-A" "$deadlock" "lost wake-up"
# A woken sleeper killed before it takes the lock (issue 10, defect 3): the
# recheck wakes the next sleeper; without it (the code before) it sleeps on.
check futex_lock "DIE_WAKEE RECHECK NCYCLES=1" "-DDIE_WAKEE -DRECHECK -DNCYCLES=1" "" ok "no sleeper stays asleep on a free lock beyond the recheck"
check futex_lock "DIE_WAKEE NCYCLES=1" "-DDIE_WAKEE -DNCYCLES=1" "-A" "$deadlock" "sleeper stranded by a killed wakee (no recheck)"
# Bounded unfairness: a starving sleeper gets the lock at the next release.
check futex_lock "CHECK_FAIR NPROC=2 NCYCLES=4" "-DCHECK_FAIR -DRECHECK -DNPROC=2 -DNCYCLES=4" "" ok "the starving sleeper gets the next hand-off"
check futex_lock "BROKEN_NOHANDOFF NPROC=2 NCYCLES=3" "-DBROKEN_NOHANDOFF -DCHECK_FAIR -DRECHECK -DNPROC=2 -DNCYCLES=3" "-E" "assertion violated (others==0)" "a newcomer barges past the starving sleeper"

# TicketLock's queue with abandonable tickets (ticket_lock.pml): 2 processes
# x 2 cycles with a death anywhere in a waiter's life is the complete search;
# the live-ticket-skipped error needs a third process (a dead taker, a taker
# reclaiming its slot, a skipper), found before the search ends.
check ticket_lock "NPROC=2" "-DNPROC=2" "" ok "mutual exclusion, no live ticket skipped, dead and abandoned tickets skipped (no hang)"
check ticket_lock BROKEN_NO_VALIDATE "-DNPROC=2 -DNO_TRY -DBROKEN_NO_VALIDATE -DCHECK_MUTEX" "-E" "assertion violated (incs==1)" "mutual exclusion"
check ticket_lock BROKEN_NO_RECHECK "-DNCYCLES=1 -DNO_TRY -DBROKEN_NO_RECHECK -DCHECK_SKIP" "-E" "assertion violated" "a live ticket skipped"
check ticket_lock BROKEN_NO_SKIP "-DNPROC=2 -DBROKEN_NO_SKIP" "-A" "$deadlock" "a dead or abandoned ticket never skipped"

# TicketLock's sleep and wake handshake (ticket_wake.pml)
check ticket_wake "" "" "" ok "mutual exclusion, FIFO, no lost wake-up"
check ticket_wake WAKE_ALL "-DWAKE_ALL" "" ok "the same, waking all sleepers"
check ticket_wake BROKEN_TRYLOCK "-DBROKEN_TRYLOCK -DCHECK_MUTEX" "-E" "assertion violated (incs==1)" "mutual exclusion"
check ticket_wake BROKEN_HANDOVER "-DBROKEN_HANDOVER -DCHECK_FIFO" "-E" "assertion violated (t==entered)" "FIFO"
check ticket_wake BROKEN_WAKE "-DBROKEN_WAKE" "-A" "$deadlock" "lost wake-up"
check ticket_wake BROKEN_WAKE_BIT "-DBROKEN_WAKE_BIT" "-A" "$deadlock" "lost wake-up"

# SeqLock (seq_lock.pml)
check seq_lock "" "" "" ok "accepted copies never torn (nor stale)"
check seq_lock BROKEN_NO_ODD_CHECK "-DBROKEN_NO_ODD_CHECK" "" "assertion violated ((c0==c1)&&(c1==c2))" "torn copy accepted"
check seq_lock BROKEN_ONE_BUMP "-DBROKEN_ONE_BUMP" "" "assertion violated ((c0==c1)&&(c1==c2))" "torn copy accepted"
# Writers that die (one death among 2 writers x 2 writes, 1 reader): readers
# never hang, are told only of a real death mid-write, and the next writer's
# write makes the value whole.
dies="-DWRITER_DIES -DNREADERS=1"
check seq_lock WRITER_DIES "$dies" "" ok "never torn, no reader hangs, told only of a death mid-write, whole after the next write"
check seq_lock "WRITER_DIES BROKEN_NO_DEATH_CHECK" "$dies -DBROKEN_NO_DEATH_CHECK" "-A" "$deadlock" "a reader waits forever for a dead writer"
check seq_lock "WRITER_DIES BROKEN_NO_RESEQ" "$dies -DBROKEN_NO_RESEQ -DCHECK_TOLD" "-E" "assertion violated dead_mid_write" "told of a death that did not happen"
check seq_lock "WRITER_DIES BROKEN_RECOVER_BUMP" "$dies -DBROKEN_RECOVER_BUMP -DCHECK_REPAIR" "-E" "assertion violated (((((seq%2)==0)" "not whole after the next writer's write"

# RobustLock's word protocol (robust_lock.pml)
check robust_lock "" "" "" ok "mutual exclusion among the living, deaths reported to the next locker, no lost wake-up"
check robust_lock BROKEN_EXCL "-DBROKEN_EXCL -DCHECK_MUTEX" "-E" "assertion violated (incs==1)" "mutual exclusion"
check robust_lock BROKEN_IGNORE_DIED "-DBROKEN_IGNORE_DIED -DCHECK_REPORT" "-E" "assertion violated  !(unreported)" "death not reported"
check robust_lock BROKEN_NOWAKE "-DBROKEN_NOWAKE" "-A" "$deadlock" "lost wake-up"
# After a locker has set WAITERS or slept, it must take even a dead owner's
# word with WAITERS (glibc: assume_other_futex_waiters); taking it as
# tid | (word & WAITERS) there, as first specified, loses a wake-up:
check robust_lock AS_BRIEFED "-DAS_BRIEFED" "-A" "$deadlock" "lost wake-up"
# Deaths outside the holding region (an unlocker between its exchange and its
# wake, a woken waiter before it retries) are beyond the word protocol alone:
# the kernel must wake a waiter for a dying thread whose list_op_pending word
# has no owner (Linux >= 6.2; see the model). Without that, two processes lose
# a wake-up; with it they do not; with three it still loses one when a
# newcomer takes the word between an unlocker's exchange and its death (a
# known limitation of robust futexes, glibc's included).
check robust_lock "DIE_ANYWHERE NPROC=2" "-DDIE_ANYWHERE -DNPROC=2" "-A" "$deadlock" "lost wake-up (kernel without the list_op_pending wake)"
check robust_lock "DIE_ANYWHERE PENDING_OP_WAKE=2 NPROC=2" "-DDIE_ANYWHERE -DPENDING_OP_WAKE=2 -DNPROC=2" "" ok "no lost wake-up"
check robust_lock "DIE_ANYWHERE PENDING_OP_WAKE=2" "-DDIE_ANYWHERE -DPENDING_OP_WAKE=2" "-A" "$deadlock" "lost wake-up (known limitation)"

# Condition's wait and notify (condition.pml)
check condition "" "" "" ok "no lost wake-up (2 waiters)"
check condition "NW=3" "-DNW=3" "" ok "no lost wake-up (3 waiters)"
check condition BROKEN_EPOCH_AFTER_UNLOCK "-DBROKEN_EPOCH_AFTER_UNLOCK" "" "$deadlock" "lost wake-up"
check condition BROKEN_COUNT_AFTER_CHECK "-DBROKEN_COUNT_AFTER_CHECK" "" "$deadlock" "lost wake-up"

# Queue<T>'s slot protocol and sleeping (queue.pml)
check queue "" "" "" ok "every item once, FIFO per producer, no lost wake-up"
check queue CAP=1 "-DCAP=1" "" ok "the same at capacity 1"
check queue "BROKEN_PLAIN_SEQ CAP=1" "-DBROKEN_PLAIN_SEQ -DCAP=1" "" "$deadlock" "an item overwritten (Vyukov's seq = p at capacity 1)"
check queue BROKEN_EPOCH_LATE "-DBROKEN_EPOCH_LATE" "-A" "$deadlock" "lost wake-up"
check queue BROKEN_CHECK_FIRST "-DBROKEN_CHECK_FIRST" "-A" "$deadlock" "lost wake-up"
check queue BROKEN_STALE_CHECK "-DBROKEN_STALE_CHECK" "-A" "$deadlock" "lost wake-up"
check queue BROKEN_WAKE_ONE "-DBROKEN_WAKE_ONE" "-A" "$deadlock" "lost wake-up"

if ((failures)); then
  echo "run_models: $failures unexpected outcome(s)"
  exit 1
fi
echo "run_models: all $n checks as expected"
