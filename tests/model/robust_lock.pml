/*
 * RobustLock: a model of the robust-futex word protocol (the one the Linux
 * kernel's robust list speaks), as locks/owner_word.cpp and
 * locks/robust_lock.cpp implement it, checked with Spin.
 *
 * What it models
 *   One 32-bit lock word: owner tid in bits 0-29 (0: no owner), OWNER_DIED
 *   (bit 30), WAITERS (bit 31).
 *     lock():   try_acquire_free: CAS(0 -> tid); if that fails,
 *               acquire_contended:
 *                 spin phase (any number of tries, then give up):
 *                   w = load; if owner(w) == 0: CAS(w -> tid | (w & WAITERS))
 *                 sleep phase:
 *                   loop { w = load;
 *                          if owner(w) == 0 { if CAS(w -> tid | WAITERS) done;
 *                                             continue }
 *                          if !(w & WAITERS) { if !CAS(w -> w | WAITERS)
 *                                                continue; w |= WAITERS }
 *                          futex_wait(word, w) }
 *               lock() reports "owner died" (throws owner_died, holding the
 *               lock) iff the word it replaced had OWNER_DIED.
 *     unlock(): prev = exchange(word, 0); if (prev & WAITERS) futex_wake(1)
 *     death:    a holder may die at any point while it holds the lock,
 *               including right after its acquiring CAS, before it has
 *               linked the lock into its robust list (list_op_pending covers
 *               that window, and unlock()'s window before the exchange). At
 *               exit the kernel, for a word whose owner bits equal the dead
 *               tid, atomically sets word = (word & WAITERS) | OWNER_DIED
 *               and, if WAITERS was set, wakes one waiter. A dead process
 *               does nothing more.
 *   The sleep phase takes a free word (OWNER_DIED or not) with WAITERS set:
 *   once a locker has set WAITERS or slept, other sleepers may rely on the
 *   bit, and unlock()'s exchange clears it after waking only one of them.
 *   glibc's robust mutex keeps a flag (assume_other_futex_waiters) for the
 *   same reason. -DAS_BRIEFED takes a dead owner's word as
 *   tid | (w & WAITERS) in the sleep phase too, and loses a wake-up.
 *   NPROC (3) processes, NCYCLES (2) lock/unlock cycles each; a holder that
 *   is told "owner died" repairs the data and later unlocks normally (the
 *   "make it consistent" step is folded into that). try_lock() is
 *   try_acquire once: a spin phase that ends at once on failure.
 *
 * What it abstracts away
 *   - Memory orders (Promela is sequentially consistent), the timed forms
 *     (a wait with a deadline always ends), the futex details (as in
 *     futex_lock.pml: check-and-sleep is one atomic step, futex_wake(1) wakes
 *     one sleeper nondeterministically, a spurious wake-up is futex_wait
 *     returning at once).
 *   - The robust list itself: only the kernel's effect on the word at thread
 *     exit (the owner-bits check) is modelled, which is also what makes
 *     list_op_pending work.
 *   - Tids are small integers; the word is a byte: owner bits 0-5, OWNER_DIED
 *     bit 6, WAITERS bit 7.
 *   - Death is a step a holder may take between any two of its shared-memory
 *     steps (dying inside an atomic instruction is not possible). By default
 *     only holders die. -DDIE_ANYWHERE also lets a process die in unlock()
 *     between its exchange and its wake, and a woken waiter die before it
 *     retries. -DPENDING_OP_WAKE=1 adds Linux >= 5.5's wake for a dying
 *     thread (inside lock() or unlock(), so with list_op_pending set) whose
 *     word is 0; -DPENDING_OP_WAKE=2 Linux >= 6.2's, whose word has owner
 *     bits 0. See docs/model-checking.md for what these find.
 *
 * Properties and how they are checked (pan compiled with -DSAFETY)
 *   - Mutual exclusion among live processes: ghost count incs of live
 *     processes in the critical section (a holder that dies leaves it);
 *     assert(incs == 1) on entry.
 *   - Every death while holding is reported to exactly the next process that
 *     returns from lock(): a ghost flag "unreported", set by the kernel when
 *     it marks a dead holder's word; lock() returning "owner died" asserts it
 *     is set (and clears it), returning normally asserts it is clear. (Not a
 *     count: when the taker of a dead owner's lock itself dies before lock()
 *     returns, the kernel marks the word again and one report to the next
 *     locker covers both deaths.)
 *   - No lost wake-up: a sleeper is not at a valid end state; a terminal
 *     state with a sleeper while every other process has finished or died
 *     (so the lock is free or its owner is dead) is an "invalid end state".
 *   -DCHECK_MUTEX or -DCHECK_REPORT compiles in that assertion only.
 *
 * Deliberately broken variants (spin -DBROKEN_... -a robust_lock.pml)
 *   BROKEN_EXCL       the sleep phase takes a free word with a plain store,
 *                     not a CAS: two lockers that both see it free both get
 *                     it -> mutual exclusion fails.
 *   BROKEN_IGNORE_DIED lock() takes a dead owner's word without reporting
 *                     it -> the death is never reported.
 *   BROKEN_NOWAKE     the kernel marks the dead owner's word but wakes
 *                     nobody -> the sleepers sleep forever (lost wake-up).
 *   AS_BRIEFED        (see above) -> lost wake-up.
 */

#ifndef NPROC
#define NPROC 3
#endif
#ifndef NCYCLES
#define NCYCLES 2
#endif

#if !defined(CHECK_MUTEX) && !defined(CHECK_REPORT)
#define CHECK_MUTEX
#define CHECK_REPORT
#endif

#define OWNER      63   /* bits 0-5: owner tid (bits 0-29 in C++) */
#define OWNER_DIED 64   /* bit 6 (bit 30 in C++) */
#define WAITERS    128  /* bit 7 (bit 31 in C++) */

byte word = 0;
bool asleep[3];          /* futex wait queue of word */
byte incs = 0;           /* ghost: live processes inside the critical section */
bool unreported = false; /* ghost: a holder died; no lock() has reported it */

inline cas(expected, desired, success) {
  atomic {
    if
    :: word == expected -> word = desired; success = true
    :: else -> success = false
    fi
  }
}

inline futex_wait(expected) {
  atomic {
    if
    :: word == expected ->
       if
       :: asleep[_pid] = true
       :: skip                      /* spurious wake-up */
       fi
    :: else -> skip                 /* EAGAIN */
    fi
  }
  (!asleep[_pid])                   /* no timeout: not a valid end state */
}

inline futex_wake_one() {
  if
  :: asleep[0] -> asleep[0] = false
  :: asleep[1] -> asleep[1] = false
  :: asleep[2] -> asleep[2] = false
  :: else -> skip
  fi
}

/* Thread exit: the kernel walks the robust list (and list_op_pending) and,
 * for a word this thread owns, marks the owner dead and wakes one waiter.
 * in_cs: the process was inside the critical section (ghost bookkeeping). */
inline die(in_cs) {
  atomic {
    /* (no "else" here: this if heads an option of MAY_DIE's if, where an
     * "else" would be read as that outer if's else and never run) */
    if
    :: (word & OWNER) == tid ->
       unreported = true;
       prev = word;
       word = (word & WAITERS) | OWNER_DIED;
#ifndef BROKEN_NOWAKE
       if
       :: (prev & WAITERS) != 0 -> futex_wake_one()
       :: else -> skip
       fi
#endif
#if defined(PENDING_OP_WAKE) && PENDING_OP_WAKE >= 2
    /* Linux >= 6.2 (commit 90d758896787, "futex: Resend potentially
     * swallowed owner death notification"; also in 6.1.x stable): a dying
     * thread inside lock() or unlock() (list_op_pending set) whose word has
     * owner bits 0 wakes one waiter. */
    :: (word & OWNER) == 0 -> futex_wake_one()
    :: (word & OWNER) != tid && (word & OWNER) != 0 -> skip
#elif defined(PENDING_OP_WAKE)
    /* Linux >= 5.5 (commit ca16d5bee598, "futex: Prevent robust futex exit
     * race"): the same when the whole word is 0. */
    :: word == 0 -> futex_wake_one()
    :: (word & OWNER) != tid && word != 0 -> skip
#else
    :: (word & OWNER) != tid -> skip
#endif
    fi;
    incs = incs - in_cs;
  }
  goto dead
}

/* A step at which a holder may die. */
#define MAY_DIE(in_cs) if :: skip :: die(in_cs) fi

active [NPROC] proctype P() {
  byte tid = _pid + 1;
  byte w, prev;
  byte n = 0;
  bool got, ok, died;

  do
  :: n < NCYCLES ->
     /* lock(): try_acquire_free, a CAS from 0 */
     cas(0, tid, got);
     w = 0;
     /* acquire_contended(), spin phase: try_acquire while spinning: take a
      * word whose owner bits are 0, keeping its WAITERS (this locker has not
      * set or slept on WAITERS, so it shares the bit with nobody) */
     do
     :: got -> break
     :: !got ->
        w = word;
        if
        :: (w & OWNER) == 0 -> cas(w, tid | (w & WAITERS), got)
        :: else -> skip
        fi
     :: !got -> break               /* the spin budget ran out */
     od;
     /* acquire_contended(), sleep phase */
     do
     :: got -> break
     :: else ->
        w = word;
        if
        :: (w & OWNER) == 0 ->
#if defined(BROKEN_EXCL)
           word = tid | WAITERS; got = true
#elif defined(AS_BRIEFED)
           if
           :: (w & OWNER_DIED) != 0 -> cas(w, tid | (w & WAITERS), got)
           :: else -> cas(w, tid | WAITERS, got)
           fi
#else
           /* may have slept: others may still sleep: take it with WAITERS */
           cas(w, tid | WAITERS, got)
#endif
        :: else ->
           if
           :: (w & WAITERS) == 0 ->
              cas(w, w | WAITERS, ok);
              if
              :: ok -> w = w | WAITERS
              :: else -> skip
              fi
           :: else -> ok = true
           fi;
           if
           :: ok ->
              futex_wait(w);
#ifdef DIE_ANYWHERE
              MAY_DIE(0)            /* a woken waiter dies before retrying */
#endif
           :: else -> skip
           fi
        fi
     od;
#ifdef BROKEN_IGNORE_DIED
     died = false;                  /* takes a dead owner's word silently */
#else
     died = (w & OWNER_DIED) != 0;  /* the word it replaced: owner_died? */
#endif
     w = 0;
     MAY_DIE(0);                    /* after the CAS, before it is linked:
                                       list_op_pending */

     /* lock() returns (or throws owner_died); critical section */
     incs++;
#ifdef CHECK_MUTEX
     assert(incs == 1);             /* mutual exclusion among the living */
#endif
#ifdef CHECK_REPORT
     if                             /* deaths reported to the next locker */
     :: died -> assert(unreported)
     :: else -> assert(!unreported)
     fi;
#endif
     unreported = false;
     died = false;
     MAY_DIE(1);                    /* inside the critical section, or in
                                       unlock() before its exchange */
     incs--;

     /* unlock(): release() */
     atomic { prev = word; word = 0 }
#ifdef DIE_ANYWHERE
     MAY_DIE(0);                    /* between the exchange and the wake */
#endif
     if
     :: (prev & WAITERS) != 0 -> atomic { futex_wake_one() }
     :: else -> skip
     fi;
     prev = 0;
     n++
  :: else -> break
  od;
dead:
  skip
}
