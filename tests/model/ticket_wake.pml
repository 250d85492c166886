/*
 * TicketLock's sleep and wake handshake (sleepers, serving, bitset wakes),
 * checked with Spin: the part of locks/ticket_lock.cpp that ticket_lock.pml
 * abstracts. Tickets are taken here as the first TicketLock took them (one
 * fetch_add, try_lock a CAS on next); the code now takes them through a slot
 * (ticket_lock.pml), which changes nothing below: a ticket holder sleeps and
 * is woken exactly as modelled. In the code every sleep also ends after
 * kRecheck (2 ms), so a lost wake-up there would be a 2 ms stall, not a hang;
 * this model keeps the sleeps untimed so that it can still show one.
 *
 * What it models
 *   Three 32-bit words: next (the ticket dispenser), serving (the ticket now
 *   served) and sleepers (how many lockers are on the sleep path).
 *     lock():     t = fetch_add(next, 1);
 *                 spin (bounded) while serving != t;
 *                 sleep path: fetch_add(sleepers, 1);
 *                             loop { s = load(serving); if s == t break;
 *                                    futex_wait(serving, s, bit(t)) }
 *                             fetch_sub(sleepers, 1)
 *     unlock():   nt = fetch_add(serving, 1) + 1;
 *                 if load(sleepers) > 0: futex_wake(serving, INT_MAX, bit(nt))
 *     try_lock(): s = load(serving); succeed iff CAS(next, s -> s+1)
 *   bit(t) = 1 << (t % 32): a sleeper waits with its ticket's bit
 *   (FUTEX_WAIT_BITSET) and unlock wakes only the sleepers whose bit is the
 *   next ticket's (FUTEX_WAKE_BITSET), not all of them. -DWAKE_ALL models
 *   the plain futex_wake(serving, INT_MAX) instead.
 *   Each process does NCYCLES (default 2) cycles, each one lock() or
 *   try_lock() (chosen nondeterministically), then unlock() if it got it.
 *
 * What it abstracts away
 *   - Memory orders. Promela is sequentially consistent. The unlock's
 *     fetch_add(serving) and load(sleepers), and the locker's
 *     fetch_add(sleepers) and load(serving), form a store-buffering (Dekker)
 *     pattern: it needs seq_cst on all four in C++, which this model cannot
 *     show failing (SC is all it has). The reordering that a weaker order
 *     would allow is modelled instead as the reordered program order:
 *     BROKEN_WAKE below.
 *   - The bounded spin (only the next in line spins): "either finds
 *     serving == t now, or gives up and takes the sleep path at any time"
 *     (the sleep path re-checks serving first).
 *   - Wrap-around of the 32-bit counters (the model's counters stay small,
 *     so no two tickets share a bit here; sharing only adds wake-ups, which
 *     the spurious wake-ups below cover).
 *   - The timed form try_lock_until (a wait with a deadline always ends).
 *   - The futex is a per-process "asleep" flag and bitset for the serving
 *     word (the only futex word here); futex_wait checks and sleeps in one
 *     atomic step; a spurious wake-up is futex_wait returning at once (see
 *     futex_lock.pml for why that covers a late spurious wake-up).
 *
 * Properties and how they are checked (pan compiled with -DSAFETY)
 *   - Mutual exclusion: ghost count incs; assert(incs == 1) on entry.
 *   - FIFO: ghost count of entries so far; the holder of ticket t must be the
 *     t-th to enter: assert(t == entered).
 *   - No lost wake-up: a process asleep in futex_wait is not at a valid end
 *     state; a terminal state with a sleeper (all others finished: the lock is
 *     free) is an "invalid end state".
 *   -DCHECK_MUTEX or -DCHECK_FIFO compiles in that assertion only.
 *
 * Deliberately broken variants (spin -DBROKEN_... -a ticket_lock.pml)
 *   BROKEN_TRYLOCK  try_lock checks next == serving and then stores next+1
 *                   (no CAS): a lock() can take the same ticket in between ->
 *                   mutual exclusion fails.
 *   BROKEN_HANDOVER unlock advances serving by 2 (an off-by-one in the
 *                   hand-over): ticket t+2 enters before t+1 -> FIFO fails.
 *   BROKEN_WAKE     unlock reads sleepers before it bumps serving (what a
 *                   non-seq_cst order allows): a locker that registers and
 *                   goes to sleep in between is never woken -> lost wake-up.
 *   BROKEN_WAKE_BIT unlock wakes the bit of the ticket just served instead of
 *                   the next one's -> the next ticket's sleeper is never
 *                   woken (lost wake-up).
 */

#ifndef NPROC
#define NPROC 3
#endif
#ifndef NCYCLES
#define NCYCLES 2
#endif
#ifndef TICKET_BITS
#define TICKET_BITS 32       /* ticket_bit(t) = 1 << (t % 32) */
#endif

/* Which assertions are compiled in: both unless one is named (-DCHECK_MUTEX
 * or -DCHECK_FIFO), so that a broken variant can be shown to fail the one
 * property it is meant to break. */
#if !defined(CHECK_MUTEX) && !defined(CHECK_FIFO)
#define CHECK_MUTEX
#define CHECK_FIFO
#endif

byte next = 0;
byte serving = 0;
byte sleepers = 0;
bool asleep[3];      /* futex wait queue of serving: who sleeps ... */
byte waitbit[3];     /* ... and with which bitset (ticket % TICKET_BITS) */
byte incs = 0;       /* ghost: processes inside the critical section */
byte entered = 0;    /* ghost: critical-section entries so far */

/* futex_wait(&serving, expected, no deadline, ticket_bit(ticket)) */
inline futex_wait(expected, ticket) {
  atomic {
    if
    :: serving == expected ->
       if
       :: asleep[_pid] = true; waitbit[_pid] = ticket % TICKET_BITS
       :: skip                      /* spurious wake-up */
       fi
    :: else -> skip                 /* EAGAIN */
    fi
  }
  (!asleep[_pid])                   /* no timeout: not a valid end state */
}

/* futex_wake(&serving, INT_MAX, ticket_bit(ticket)): wakes every sleeper
 * whose bitset meets the ticket's bit */
inline futex_wake_bit(ticket) {
  atomic {
    if
    :: asleep[0] && waitbit[0] == ticket % TICKET_BITS -> asleep[0] = false; waitbit[0] = 0
    :: else -> skip
    fi;
    if
    :: asleep[1] && waitbit[1] == ticket % TICKET_BITS -> asleep[1] = false; waitbit[1] = 0
    :: else -> skip
    fi;
    if
    :: asleep[2] && waitbit[2] == ticket % TICKET_BITS -> asleep[2] = false; waitbit[2] = 0
    :: else -> skip
    fi
  }
}

/* futex_wake(&serving, INT_MAX) */
inline futex_wake_all() {
  atomic {
    asleep[0] = false; asleep[1] = false; asleep[2] = false;
    waitbit[0] = 0; waitbit[1] = 0; waitbit[2] = 0
  }
}

active [NPROC] proctype P() {
  byte t, s, seen, nt;
  byte n = 0;
  bool got;

  do
  :: n < NCYCLES ->
     if
     :: /* lock() */
        atomic { t = next; next++ }           /* fetch_add(next, 1) */
        if
        :: serving == t -> skip               /* the bounded spin saw its turn */
        :: true ->                            /* spun out: the sleep path */
           sleepers++;                        /* fetch_add, seq_cst */
           do
           :: s = serving;                    /* load, seq_cst */
              if
              :: s == t -> break
              :: else -> futex_wait(s, t)
              fi
           od;
           sleepers--
        fi;
        got = true
     :: /* try_lock() */
        s = serving;
#ifdef BROKEN_TRYLOCK
        seen = next;
        if
        :: seen == s -> next = s + 1; t = s; got = true
        :: else -> got = false
        fi
#else
        atomic {                              /* CAS(next, s -> s+1) */
          if
          :: next == s -> next = s + 1; t = s; got = true
          :: else -> got = false
          fi
        }
#endif
     fi;

     if
     :: got ->
        /* critical section */
        incs++;
#ifdef CHECK_MUTEX
        assert(incs == 1);                    /* mutual exclusion */
#endif
#ifdef CHECK_FIFO
        assert(t == entered);                 /* FIFO */
#endif
        entered++;
        incs--;

        /* unlock() */
#ifdef BROKEN_WAKE
        seen = sleepers;                      /* read too early */
        atomic { serving++; nt = serving }
#else
#ifdef BROKEN_HANDOVER
        atomic { serving = serving + 2; nt = serving }
#else
        atomic { serving++; nt = serving }    /* fetch_add(serving, 1) + 1,
                                                 seq_cst */
#endif
        seen = sleepers;                      /* load, seq_cst */
#endif
        if
        :: seen > 0 ->
#if defined(WAKE_ALL)
           futex_wake_all()
#elif defined(BROKEN_WAKE_BIT)
           futex_wake_bit(nt - 1)             /* the ticket just served */
#else
           futex_wake_bit(nt)                 /* the next ticket's sleeper */
#endif
        :: else -> skip
        fi;
        seen = 0; nt = 0
     :: else -> skip
     fi;
     n++
  :: else -> break
  od
}
