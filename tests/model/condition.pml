/*
 * Condition: a model of ConditionState's wait and notify (locks/condition.hpp),
 * checked with Spin: no lost wake-up.
 *
 * What it models
 *   The caller's lock (any kind: a test-and-set here), and the condition's
 *   words: epoch (the futex word), sleepers and tokens (both changed only
 *   under the lock), in_kernel (changed by waiters without the lock).
 *     wait():   (lock held) sleepers++;
 *               loop: e = epoch; unlock;
 *                     spin: either it sees epoch != e (skip the sleep), or
 *                     in_kernel++; futex_wait(epoch, e); in_kernel--;
 *                     lock;
 *                     if epoch != e && tokens > 0: tokens--, sleepers--, return
 *                     else goto loop
 *     notify(1): (lock held) if sleepers - tokens > 0:
 *                    tokens++, epoch++, if in_kernel > 0: futex_wake(epoch, 1)
 *   NW waiters each take one item: lock; while items == 0: wait(); items--;
 *   unlock. One producer puts NW items, each as lock; items++; notify(1);
 *   unlock (Python's producer/consumer on a Condition).
 *
 * What it abstracts away
 *   - Memory orders: everything but the kernel's read of epoch and the
 *     in_kernel count is under the lock, whose acquire/release orders it;
 *     the bump, in_kernel's increment and load are seq_cst in the code, as
 *     Promela's sequential consistency assumes.
 *   - The spin's length: any number of looks at epoch, modelled as one
 *     nondeterministic choice (saw it move, or gave up).
 *   - Time-outs and the kWakerDeathRecheck re-check: both only add wake-ups
 *     (a waiter that wakes and finds nothing for it goes back to sleep);
 *     a lost wake-up here is one the algorithm itself would lose.
 *   - Which sleeper the kernel wakes: any one of those asleep (the model
 *     picks nondeterministically), never one that is not asleep.
 *   - The futex: a per-process "asleep" flag; futex_wait checks epoch and
 *     sleeps in one atomic step, or returns at once (a spurious wake-up).
 *
 * Property (pan compiled with -DSAFETY)
 *   No lost wake-up: a waiter asleep at the end (every other process done,
 *   so nobody will wake it) is not at a valid end state: "invalid end state".
 *   Every waiter must get its item and end.
 *
 * Deliberately broken variant (spin -DBROKEN_... -a condition.pml)
 *   BROKEN_EPOCH_AFTER_UNLOCK  the waiter reads epoch after releasing the
 *                  lock: a notify in between bumps epoch before the waiter
 *                  reads it, and the waiter sleeps on the new value with its
 *                  token unused -> lost wake-up (invalid end state).
 *   BROKEN_COUNT_AFTER_CHECK  the waiter counts itself in in_kernel after
 *                  futex_wait has compared epoch: a notify in between finds
 *                  in_kernel 0 and skips its wake -> lost wake-up.
 */

#ifndef NW
#define NW 2
#endif

byte lk = 0;        /* the caller's lock: 0 free, else the holder's id + 1 */
byte epoch = 0;
byte sleepers = 0;
byte tokens = 0;
byte items = 0;
byte in_kernel = 0;
bit asleep[NW];

inline lock(me) { atomic { lk == 0 -> lk = me + 1 } }
inline unlock() { lk = 0 }

/* Sleeps while epoch == e, until a futex_wake clears asleep[me]; or returns
 * at once (a spurious wake-up). Counted in in_kernel meanwhile. */
inline futex_wait(me, e) {
#ifndef BROKEN_COUNT_AFTER_CHECK
  in_kernel++;
#endif
  atomic {
    if
    :: epoch == e -> asleep[me] = 1
    :: true -> skip
    fi
  }
#ifdef BROKEN_COUNT_AFTER_CHECK
  in_kernel++;
#endif
  asleep[me] == 0;
  in_kernel--
}

/* The spin, then the sleep: a spinner that sees epoch move skips the sleep. */
inline spin_then_sleep(me, e) {
  if
  :: epoch != e -> skip
  :: true -> futex_wait(me, e)
  fi
}

/* Wakes one sleeper, if any is asleep. */
inline futex_wake_one() {
  atomic {
    if
    :: asleep[0] -> asleep[0] = 0
    :: asleep[1] -> asleep[1] = 0
#if NW > 2
    :: asleep[2] -> asleep[2] = 0
#endif
    :: else -> skip
    fi
  }
}

proctype waiter(byte me) {
  byte e;
  lock(me);
  do
  :: items > 0 -> items--; break
  :: else ->
     sleepers++;
again:
#ifdef BROKEN_EPOCH_AFTER_UNLOCK
     unlock();
     e = epoch;
#else
     e = epoch;
     unlock();
#endif
     spin_then_sleep(me, e);
     lock(me);
     if
     :: epoch != e && tokens > 0 -> tokens--; sleepers--
     :: else -> goto again
     fi
  od;
  unlock()
}

proctype producer() {
  byte put = 0;
  do
  :: put < NW ->
     lock(NW);
     items++;
     put++;
     if
     :: sleepers - tokens > 0 ->
        tokens++;
        epoch++;
        if
        :: in_kernel > 0 -> futex_wake_one()
        :: else -> skip
        fi
     :: else -> skip
     fi;
     unlock()
  :: else -> break
  od
}

init {
  byte i;
  atomic {
    for (i : 0 .. NW - 1) { run waiter(i) }
    run producer()
  }
}
