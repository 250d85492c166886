/*
 * FutexLock: a model of its lock word protocol, as locks/owner_word.cpp
 * implements it (OwnerWord, shared with RobustLock), checked with Spin.
 *
 * What it models
 *   One 32-bit lock word. Bits 0-29 hold the owner's tid (0: free), bit 30
 *   is HANDOFF ("a waiter has waited past kStarveAfter"; reserved for a
 *   starving waiter when the owner is 0) and bit 31 is WAITERS ("someone may
 *   be asleep on this word").
 *     lock():   CAS(0 -> tid); if that fails (after some bounded spinning),
 *               loop { w = load; starving = waited >= kStarveAfter;
 *                      if owner(w) == 0 && (!(w & HANDOFF) || starving)
 *                        { if CAS(w -> tid|WAITERS) return; continue }
 *                      if owner(w) != 0 { want = w|WAITERS|(starving ? HANDOFF : 0);
 *                                         if want != w && !CAS(w -> want) continue; w = want }
 *                      if starving && still watching: continue   (bounded spin)
 *                      futex_wait(word, w, starving ? STARVING : OTHER) }
 *               (taking a reserved word drops HANDOFF: the hand-off it asked
 *               for is done; another starving waiter asks again)
 *     unlock(): prev = exchange(word, 0);
 *               if (prev & HANDOFF) { seen = CAS loop: owner 0 -> HANDOFF|WAITERS,
 *                                            held -> seen|HANDOFF|WAITERS;
 *                                     if owner(seen) == 0 && futex_wake(word, 1, STARVING) == 0
 *                                        && still reserved after a bounded spin
 *                                        && CAS(HANDOFF|WAITERS -> 0) futex_wake(word, 1, ANY) }
 *               else if (prev & WAITERS) futex_wake(word, 1, ANY)
 *               (after a hand-off wake the C++ code yields the CPU: no
 *               state changes, nothing to model)
 *     Time: "waited >= kStarveAfter" becomes true, nondeterministically, at
 *     any iteration after the waiter has slept once in this lock() (a waiter
 *     that has not slept has waited a few microseconds). Every sleep in C++
 *     ends by kRecheck at the latest (and a non-starving one by kStarveAfter);
 *     with -DRECHECK a sleeper may time out, but only when no process can do
 *     anything else (Spin's timeout): the deadline is far off next to every
 *     other step. Without -DRECHECK sleeps are untimed, so the protocol must
 *     not lose a wake-up among the living on its own.
 *     Death (-DDIE_WAKEE): a sleeper woken by another process may die before
 *     its next step (issue 10, defect 3); nobody else dies.
 *
 * What it abstracts away
 *   - Memory orders. Promela interleaves whole statements: the model is
 *     sequentially consistent. That the C++ code's acquire/release (and, where
 *     it matters, seq_cst) orders give the same guarantees is argued in the
 *     code and its comments, not checked here.
 *   - The bounded spinning between the fast-path CAS and the slow path: on a
 *     FutexLock word (never OWNER_DIED) its try_acquire takes only a word of
 *     0, so it only retries the fast path's CAS and adds no behaviour beyond
 *     "the slow path starts a little later", which the interleaving covers.
 *     (robust_lock.pml models it, since there it matters.) try_lock() is the
 *     fast path alone. The timed forms are not modelled (a wait with a
 *     deadline always ends).
 *   - Tids are small integers (_pid + 1); the word is a byte: OWNER is bits 0-5
 *     (standing for bits 0-29) and WAITERS is bit 7 (standing for bit 31).
 *   - The futex is a per-process "asleep" flag for this one word. futex_wait
 *     checks word == expected and goes to sleep in one atomic step (as the
 *     kernel does under its hash-bucket lock); futex_wake(1) clears one set
 *     flag, chosen nondeterministically. A spurious wake-up is modelled as
 *     futex_wait returning at once without sleeping: since the sleeper's next
 *     step is a fresh load, "returned at once and was slow to be scheduled"
 *     covers "slept, then woke spuriously", and a wake-up spent on a sleeper is
 *     the same as a real one.
 *   - Bounded work: NPROC processes (default 3), NCYCLES lock/unlock cycles
 *     each (default 2).
 *   - The spin phase takes a free word only if it has no HANDOFF; as a free
 *     word without HANDOFF is 0, that is the fast path's CAS again.
 *   - The starving waiter's watch (it loops a bounded number of times before
 *     it sleeps) is "futex_wait returned at once" below; the unlocker's bounded
 *     spin before it un-reserves is the interleavings in which its CAS comes
 *     later: the CAS fails on a word the starving waiter has taken. A waiter
 *     that asked and sees a free word not yet reserved re-reads it a bounded
 *     number of times before it takes it: a later interleaving of the take.
 *
 * Properties and how they are checked (pan compiled with -DSAFETY)
 *   - Mutual exclusion: a ghost count of processes inside the critical
 *     section; assert(incs == 1) on entry.
 *   - No lost wake-up: a process asleep in futex_wait is not at a valid end
 *     state (it waits with no timeout), so a terminal state in which some
 *     process sleeps while every other one has finished (the lock is then
 *     free) is reported by pan as an "invalid end state".
 *   - The wakee-dies property (-DDIE_WAKEE -DRECHECK): no sleeper stays asleep
 *     on a free lock beyond the recheck: the same end-state check, with
 *     woken sleepers dying.
 *   - Bounded unfairness (-DCHECK_FAIR, 2 processes): once a starving waiter
 *     sleeps having asked for a hand-off, no other process takes the lock
 *     before it: it gets the lock when the current holder releases it, however
 *     fast that one re-locks. assert(others == 0) at each acquisition.
 *
 * Deliberately broken variants (spin -DBROKEN_... -a futex_lock.pml)
 *   BROKEN_ACQUIRE  the slow path takes a free lock with a plain store instead
 *                   of a CAS: two processes both see it free -> mutual
 *                   exclusion fails.
 *   BROKEN_UNLOCK   unlock reads the word and then stores 0 (two steps instead
 *                   of one exchange): a waiter that sets WAITERS in between
 *                   is never woken -> lost wake-up.
 *   BROKEN_NOWAITERS lock sleeps without setting WAITERS first: the unlocker
 *                   sees no WAITERS and does not wake it -> lost wake-up.
 *   DIE_WAKEE without RECHECK (the code before issue 10's fix): a sleeper
 *                   woken and killed leaves the next sleeper asleep on a free
 *                   lock -> invalid end state.
 *   BROKEN_NOHANDOFF unlock ignores HANDOFF (a plain release): the holder
 *                   re-locks before the starving wakee runs -> others == 1.
 */

#ifndef NPROC
#define NPROC 3
#endif
#ifndef NCYCLES
#define NCYCLES 2
#endif

#define OWNER   63   /* bits 0-5: owner tid, 0 when free (bits 0-29 in C++) */
#define HANDOFF 64   /* bit 6 (bit 30 in C++) */
#define WAITERS 128  /* bit 7 (bit 31 in C++) */

byte word = 0;
bool asleep[3];      /* futex wait queue of word: asleep[p] <=> p sleeps on it */
bool starving_sleep[3];  /* p sleeps with the STARVING bitset */
byte incs = 0;       /* ghost: processes inside the critical section */
byte starved = 255;  /* ghost: a starving waiter asleep after asking for a hand-off */
byte others = 0;     /* ghost: acquisitions by other processes since it fell asleep */

/* compare_exchange_strong(word, expected, desired) */
inline cas(expected, desired, success) {
  atomic {
    if
    :: word == expected -> word = desired; success = true
    :: else -> success = false
    fi
  }
}

/* A CAS that takes the lock: the fairness ghost counts the acquisition in
 * the same step, so a waiter falling asleep just after it is not charged. */
inline take(expected, desired, success) {
  atomic {
    if
    :: word == expected -> word = desired; success = true;
#ifdef CHECK_FAIR
       if
       :: starved != 255 && starved != _pid -> others++
       :: else -> skip
       fi;
       assert(others == 0)          /* the starving sleeper gets the next hand-off */
#endif
    :: else -> success = false
    fi
  }
}

/* futex_wait(&word, expected, bitset): check and sleep in one step; a
 * spurious wake-up is "return without sleeping". went: it slept; woken: a
 * futex_wake (not the recheck) ended the sleep. */
inline futex_wait(expected, st) {
  went = false;
  atomic {
    if
    :: word == expected ->
       if
       :: asleep[_pid] = true; starving_sleep[_pid] = st; went = true;
#ifdef CHECK_FAIR
          if
          :: st && starved == 255 -> starved = _pid; others = 0
          :: else -> skip
          fi
#endif
       :: skip                      /* spurious wake-up */
       fi
    :: else -> skip                 /* EAGAIN: the word changed */
    fi
  }
  woken = false;
  if
  :: !asleep[_pid] -> woken = went
#ifdef RECHECK
  :: timeout -> asleep[_pid] = false  /* kRecheck (or kStarveAfter) passed */
#endif
  fi;
  starving_sleep[_pid] = false
#ifdef CHECK_FAIR
  ;
  if
  :: starved == _pid -> starved = 255
  :: else -> skip
  fi
#endif
}

/* futex_wake(&word, 1, ANY) */
inline futex_wake_one() {
  atomic {
    if
    :: asleep[0] -> asleep[0] = false
    :: asleep[1] -> asleep[1] = false
    :: asleep[2] -> asleep[2] = false
    :: else -> skip
    fi
  }
}

/* n = futex_wake(&word, 1, STARVING) */
inline futex_wake_starving(n) {
  atomic {
    if
    :: asleep[0] && starving_sleep[0] -> asleep[0] = false; n = 1
    :: asleep[1] && starving_sleep[1] -> asleep[1] = false; n = 1
    :: asleep[2] && starving_sleep[2] -> asleep[2] = false; n = 1
    :: else -> n = 0
    fi
  }
}

active [NPROC] proctype P() {
  byte tid = _pid + 1;
  byte w, prev, want;
  byte n = 0, woke = 0;
  bool got, ok, went, woken, slept, starving;

  do
  :: n < NCYCLES ->
     /* lock(): fast path */
     take(0, tid, got);
     slept = false;
     starving = false;
     /* slow path (the bounded spinning before it is abstracted away) */
     do
     :: got -> break
     :: else ->
        w = word;
        if
        :: slept && !starving -> starving = true   /* kStarveAfter has passed */
        :: skip
        fi;
        if
        :: (w & OWNER) == 0 && ((w & HANDOFF) == 0 || starving) ->
#ifdef BROKEN_ACQUIRE
           word = tid | WAITERS; got = true
#else
           take(w, tid | WAITERS, got)
#endif
        :: else ->
           if
           :: (w & OWNER) != 0 ->
#ifdef BROKEN_NOWAITERS
              want = w | (starving -> HANDOFF : 0);
#else
              want = w | WAITERS | (starving -> HANDOFF : 0);
#endif
              if
              :: want != w ->
                 cas(w, want, ok);
                 if
                 :: ok -> w = want
                 :: else -> skip
                 fi
              :: else -> ok = true
              fi
           :: else -> ok = true     /* reserved for a starving waiter: sleep until we starve */
           fi;
           if
           :: ok ->
              futex_wait(w, starving);
              slept = slept || went;
#ifdef DIE_WAKEE
              if
              :: woken -> goto dead /* woken, then SIGKILLed before it looks at the word */
              :: skip
              fi;
#endif
              went = false; woken = false  /* dead from here: fewer states */
           :: else -> skip
           fi
        fi
     od;
     w = 0; want = 0; ok = false; slept = false; starving = false;

     /* critical section */
     incs++;
     assert(incs == 1);             /* mutual exclusion */
     incs--;

     /* unlock() */
#ifdef BROKEN_UNLOCK
     prev = word;
     word = 0;
#else
     atomic { prev = word; word = 0 }
#endif
     if
#ifndef BROKEN_NOHANDOFF
     :: (prev & HANDOFF) != 0 ->
        atomic {                    /* the CAS loop: it ends on the current value */
          w = word;
          if
          :: (w & OWNER) == 0 -> word = HANDOFF | WAITERS
          :: else -> word = w | HANDOFF | WAITERS
          fi
        }
        if
        :: (w & OWNER) == 0 ->
           futex_wake_starving(woke);
           if
           :: woke == 0 ->
              cas((HANDOFF | WAITERS), 0, ok);
              if
              :: ok -> futex_wake_one()
              :: else -> skip
              fi
           :: else -> skip
           fi
        :: else -> skip             /* a newcomer barged in: its unlock hands off */
        fi;
        w = 0; woke = 0; ok = false
     :: (prev & HANDOFF) == 0 && (prev & WAITERS) != 0 -> futex_wake_one()
     :: (prev & (HANDOFF | WAITERS)) == 0 -> skip
#else
     :: (prev & WAITERS) != 0 -> futex_wake_one()
     :: else -> skip
#endif
     fi;
     prev = 0; got = false;
     n++
  :: else -> break
  od;
dead: skip
}
