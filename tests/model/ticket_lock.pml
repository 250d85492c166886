/*
 * TicketLock with abandonable tickets: how tickets are taken through slots,
 * given up, marked by the kernel at a waiter's death, and skipped, as
 * locks/ticket_lock.cpp does it, checked with Spin. (The sleep and wake
 * handshake is ticket_wake.pml's.)
 *
 * What it models
 *   next, serving, and K slots (word, tk); ticket t lives in slot t % K. A
 *   slot word is 0 (free), a tid (_pid + 1: the slot's owner) or GONE (its
 *   waiter died or gave up; tid bits 0).
 *   take a ticket (claim): n = next; w = word[n%K]; if w is a tid, wait;
 *     watch the slot; CAS word w -> tid; then, owning it: was = tk, nx = next,
 *     s = serving; valid iff nx == n and (w == 0 or was == n or was < s);
 *     if not valid, word = w (give it back) and retry; else tk = n,
 *     next = n + 1.
 *   wait: until serving == t; meanwhile skip a gone head (below); a timed
 *     waiter may give up at any moment: word = GONE, then skip.
 *   acquire: tk = a served ticket (ticket - 1), word = 0 (free the slot),
 *     stop watching; enter.
 *   unlock: serving++.
 *   skip: h = serving; hw = word[h%K]; return unless hw == GONE; return
 *     unless tk[h%K] == h; return if next == h; return unless word[h%K] is
 *     still GONE; CAS serving h -> h + 1.
 *   try_lock: s = serving; fail if next != s; one claim of ticket s.
 *   death: a Killer process kills up to KILLS processes, each at any step
 *     while it watches a slot and is not yet the holder (from just before its
 *     claim CAS until it sees its turn, or its try_lock's claim succeeds); the
 *     kernel then sets the watched word to GONE if it holds the dead tid.
 *     Deaths elsewhere are not modelled: a dead holder keeps the lock by
 *     design (one that dies after its turn came but before it freed its slot
 *     is a dead holder too, though the kernel's mark may let a skipper pass a
 *     ticket that never entered the critical section), and a process that
 *     holds nothing and watches nothing dies without effect on the lock.
 *   Each process does NCYCLES cycles, each one lock(), a timed lock or
 *   try_lock() (chosen nondeterministically), then unlock() if it got it.
 *
 * What it abstracts away
 *   - Memory orders: Promela is sequentially consistent; the code uses
 *     seq_cst on every access of this protocol.
 *   - Sleeping and polling. A waiter (and a taker that finds its slot owned)
 *     blocks until something it would act on holds: its turn, a skippable
 *     head, or a free slot. The code polls, and sleeps at most kRecheck
 *     between looks, so it looks at least as often; a state in which no
 *     guard can ever hold again is a hang in the code too, and pan reports
 *     it as an invalid end state.
 *   - Wrap-around (tickets stay below 256 here).
 *   - The yields before taking a ticket (yield_to_queue): loads of next and
 *     serving and a bounded delay before the claim, which the interleavings
 *     already include (any process may wait any number of steps there).
 *
 * Properties (pan compiled with -DSAFETY)
 *   - Mutual exclusion among the living: ghost incs; assert(incs == 1).
 *   - No live ticket is skipped: at the skip's CAS, no live process holds or
 *     waits with ticket h (ghost has_ticket / ticket / dead / gave_up).
 *   - A dead or abandoned ticket is skipped: otherwise the waiters behind it
 *     block for ever, an invalid end state.
 *   -DCHECK_MUTEX or -DCHECK_SKIP compiles in that assertion only.
 *
 * Deliberately broken variants
 *   BROKEN_NO_VALIDATE  the claim trusts what it read before its CAS (no
 *                       check of next and of the ticket it replaces once it
 *                       owns the slot) -> mutual exclusion fails.
 *   BROKEN_NO_RECHECK   skip does not re-read the slot word after reading
 *                       next -> a live ticket is skipped.
 *   BROKEN_NO_SKIP      nobody skips a gone head -> waiters hang behind a
 *                       dead or abandoned ticket.
 */

#ifndef NPROC
#define NPROC 3
#endif
#ifndef NCYCLES
#define NCYCLES 2
#endif
#ifndef K
#define K 2
#endif
#ifndef KILLS
#define KILLS 1
#endif

#if !defined(CHECK_MUTEX) && !defined(CHECK_SKIP)
#define CHECK_MUTEX
#define CHECK_SKIP
#endif

#define GONE 64
#define STALE 200        /* a ticket already served: ticket - 1 in the code */
#define NONE 255
#define owned(w) ((w) != 0 && (w) != GONE)

byte next = 0;
byte serving = 0;
byte word[K];
byte tk[K];
byte watched[NPROC];     /* the slot each process watches, NONE if none */
bool killed[NPROC];
byte incs = 0;           /* ghost: live processes in the critical section */
bool has_ticket[NPROC];  /* ghost: took a ticket not yet given back */
byte ticket[NPROC];      /* ghost: which */
bool dead[NPROC];        /* ghost */
bool gave_up[NPROC];     /* ghost: its current ticket was abandoned */

#define skippable (word[serving % K] == GONE && tk[serving % K] == serving && next != serving)

/* No live process holds or waits with ticket h. */
#define nobody_live_with(h) \
  (!(has_ticket[0] && ticket[0] == h && !dead[0] && !gave_up[0]) && \
   !(has_ticket[1] && ticket[1] == h && !dead[1] && !gave_up[1]) && \
   !(NPROC > 2 && has_ticket[2 % NPROC] && ticket[2 % NPROC] == h && !dead[2 % NPROC] && !gave_up[2 % NPROC]))

inline try_skip() {
  /* The code reads serving, the word and tk one at a time; if serving moves
   * in between, the CAS below fails, so one step here changes no outcome. */
  atomic { h = serving; hw = word[h % K]; hw = (hw == GONE && tk[h % K] == h -> GONE : 0) };
  if
  :: hw == GONE ->
     if
     :: next != h ->
#ifndef BROKEN_NO_RECHECK
        if
        :: word[h % K] == GONE ->
#endif
           atomic {
             if
             :: serving == h ->
#ifdef CHECK_SKIP
                assert(nobody_live_with(h));
#endif
                serving = h + 1
             :: else -> skip
             fi
           }
#ifndef BROKEN_NO_RECHECK
        :: else -> skip
        fi
#endif
     :: else -> skip
     fi
  :: else -> skip
  fi;
  d_step { h = 0; hw = 0 }
}

/* One claim of ticket n: ok tells whether it was taken. */
inline claim(n) {
  w = word[n % K];
  if
  :: owned(w) -> ok = false
  :: else ->
     watched[_pid] = n % K;
     atomic {
       if
       :: word[n % K] == w -> word[n % K] = _pid + 1; ok = true
       :: else -> ok = false
       fi
     }
     if
     :: ok ->
#ifdef BROKEN_NO_VALIDATE
        skip
#else
        /* The slot is ours, so tk cannot change and next cannot pass n;
         * serving only grows: reading the three in one step changes no
         * outcome of the check. */
        atomic { was = tk[n % K]; nx = next; s = serving };
        if
        :: nx == n && (w == 0 || was == n || was == STALE || was < s) -> skip
        :: else -> word[n % K] = w; ok = false
        fi
#endif
     :: else -> skip
     fi;
     if
     :: ok -> atomic { tk[n % K] = n; ticket[_pid] = n; has_ticket[_pid] = true; gave_up[_pid] = false };
              next = n + 1
     :: else -> skip
     fi
  fi;
  d_step { w = 0; was = 0; nx = 0; s = 0 }
}

active [NPROC] proctype P() {
  byte n, w, was, nx, s, h, hw, t;
  byte cycles = 0;
  byte mode;  /* 0 lock(), 1 timed, 2 try_lock() */
  bool ok, got;

  watched[_pid] = NONE;
  {
    do
    :: cycles < NCYCLES ->
       if
       :: mode = 0
       :: mode = 1
#ifndef NO_TRY
       :: mode = 2
#endif
       fi;
       got = false;
       if
       :: mode == 2 ->                                    /* try_lock() */
          s = serving;
          nx = next;
          if
          :: nx == s -> d_step { n = s; s = 0; nx = 0 }; claim(n);
             atomic { got = ok; if :: ok -> watched[_pid] = NONE :: else fi };
#ifdef CHECK_MUTEX
             assert(!ok || serving == n)                  /* served at once */
#endif
          :: else -> d_step { s = 0; nx = 0 }
          fi
       :: else ->                                         /* lock(), timed */
          do                                              /* take_ticket */
          :: n = next; claim(n);
             if
             :: ok -> break
             :: else ->                                   /* owned slot: wait */
                if
                :: (!owned(word[next % K]) || skippable) -> try_skip()
                :: mode == 1 -> goto cycle_end            /* deadline: no ticket */
                fi
             fi
          od;
          t = n;
          do                                              /* wait_for_turn */
          :: atomic { serving == t -> got = true; watched[_pid] = NONE }; break
#ifndef BROKEN_NO_SKIP
          :: skippable -> try_skip()
#endif
          :: mode == 1 ->                                 /* the deadline passed */
             atomic { word[t % K] = GONE; gave_up[_pid] = true };
             try_skip();
             break
          od
       fi;
       if
       :: got ->
          /* tk = ticket - 1 (served), then the slot is free. Nobody reads
           * tk between the two: a reader of tk has first seen the word gone
           * or free, and ours is our tid until the second store. */
          atomic { tk[ticket[_pid] % K] = STALE; word[ticket[_pid] % K] = 0 };
          atomic {
            incs++;
#ifdef CHECK_MUTEX
            assert(incs == 1)
#endif
          };
          incs--;
          atomic { has_ticket[_pid] = false; serving++ }  /* unlock() */
       :: else -> skip
       fi;
cycle_end:
       skip;
       d_step { watched[_pid] = NONE; n = 0; t = 0; cycles++ }
    :: else -> break
    od
  } unless {
    killed[_pid] ->
    atomic {
      dead[_pid] = true;
      if                                                  /* the kernel's mark */
      :: watched[_pid] != NONE && word[watched[_pid]] == _pid + 1 -> word[watched[_pid]] = GONE
      :: else -> skip
      fi
    }
  }
}

/* Kills up to KILLS processes, each at a moment it watches a slot. */
active proctype Killer() {
  byte kills = 0;
end_killer:
  do
  :: atomic { kills < KILLS && watched[0] != NONE && !killed[0] -> killed[0] = true; kills++ }
  :: atomic { kills < KILLS && watched[1] != NONE && !killed[1] -> killed[1] = true; kills++ }
  :: atomic { NPROC > 2 && kills < KILLS && watched[2 % NPROC] != NONE && !killed[2 % NPROC] ->
              killed[2 % NPROC] = true; kills++ }
  od
}
