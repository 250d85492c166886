/*
 * FutexLock: a model of its lock word protocol, as locks/owner_word.cpp
 * implements it (OwnerWord, shared with RobustLock), checked with Spin.
 *
 * What it models
 *   One 32-bit lock word. Bits 0-29 hold the owner's tid (0: free) and bit 31
 *   is WAITERS ("someone may be asleep on this word").
 *     lock():   CAS(0 -> tid); if that fails (after some bounded spinning),
 *               loop { w = load;
 *                      if owner(w) == 0 { if CAS(w -> tid|WAITERS) return; continue }
 *                      if !(w & WAITERS) { if !CAS(w -> w|WAITERS) continue; w |= WAITERS }
 *                      futex_wait(word, w) }
 *     unlock(): prev = exchange(word, 0); if (prev & WAITERS) futex_wake(word, 1)
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
 *
 * Properties and how they are checked (pan compiled with -DSAFETY)
 *   - Mutual exclusion: a ghost count of processes inside the critical
 *     section; assert(incs == 1) on entry.
 *   - No lost wake-up: a process asleep in futex_wait is not at a valid end
 *     state (it waits with no timeout), so a terminal state in which some
 *     process sleeps while every other one has finished (the lock is then
 *     free) is reported by pan as an "invalid end state".
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
 */

#ifndef NPROC
#define NPROC 3
#endif
#ifndef NCYCLES
#define NCYCLES 2
#endif

#define OWNER   63   /* bits 0-5: owner tid, 0 when free (bits 0-29 in C++) */
#define WAITERS 128  /* bit 7 (bit 31 in C++) */

byte word = 0;
bool asleep[3];      /* futex wait queue of word: asleep[p] <=> p sleeps on it */
byte incs = 0;       /* ghost: processes inside the critical section */

/* compare_exchange_strong(word, expected, desired) */
inline cas(expected, desired, success) {
  atomic {
    if
    :: word == expected -> word = desired; success = true
    :: else -> success = false
    fi
  }
}

/* futex_wait(&word, expected): check and sleep in one step; a spurious
 * wake-up is "return without sleeping". */
inline futex_wait(expected) {
  atomic {
    if
    :: word == expected ->
       if
       :: asleep[_pid] = true
       :: skip                      /* spurious wake-up */
       fi
    :: else -> skip                 /* EAGAIN: the word changed */
    fi
  }
  (!asleep[_pid])                   /* no timeout: not a valid end state */
}

/* futex_wake(&word, 1) */
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

active [NPROC] proctype P() {
  byte tid = _pid + 1;
  byte w, prev;
  byte n = 0;
  bool got, ok;

  do
  :: n < NCYCLES ->
     /* lock(): fast path */
     cas(0, tid, got);
     /* slow path (the bounded spinning before it is abstracted away) */
     do
     :: got -> break
     :: else ->
        w = word;
        if
        :: (w & OWNER) == 0 ->
#ifdef BROKEN_ACQUIRE
           word = tid | WAITERS; got = true
#else
           cas(w, tid | WAITERS, got)
#endif
        :: else ->
#ifdef BROKEN_NOWAITERS
           ok = true;
#else
           if
           :: (w & WAITERS) == 0 ->
              cas(w, w | WAITERS, ok);
              if
              :: ok -> w = w | WAITERS
              :: else -> skip
              fi
           :: else -> ok = true
           fi;
#endif
           if
           :: ok -> futex_wait(w)
           :: else -> skip
           fi
        fi
     od;

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
     :: (prev & WAITERS) != 0 -> futex_wake_one()
     :: else -> skip
     fi;
     n++
  :: else -> break
  od
}
