/*
 * Queue<T>: a model of its slot protocol and its sleeping, as lib/queue.hpp
 * implements them, checked with Spin.
 *
 * What it models
 *   The ring: enqueue_pos, dequeue_pos, CAP cells with a seq word and an item.
 *   Cell p % CAP: seq == FREE(p) = 2p: free for the put of position p;
 *   seq == FULL(p) = 2p + 1: holds the item of p; freed to FREE(p + CAP).
 *     put:  pos = enq; s = seq[cell];
 *           s == FREE(pos): CAS(enq, pos -> pos+1), write item, seq = FULL(pos),
 *                           if sleepers[EMPTY] > 0 and exchange(sleepers[EMPTY], 0) > 0
 *                             { epoch[EMPTY]++; futex_wake all }
 *           s <  FREE(pos): full: e = epoch[FULL]; sleepers[FULL]++;
 *                           re-check (pos = enq; seq[cell] == FREE(pos)? and
 *                           while seq[cell] > FREE(pos), read pos again);
 *                           if not, futex_wait(epoch[FULL], e) (no decrement:
 *                           the wake took the count to 0)
 *           s >  FREE(pos): another put took pos: reload
 *     get:  the same with dequeue_pos, FULL(pos), reading the item and freeing
 *           the cell to FREE(pos + CAP), waking a not-full sleeper.
 *   NPROD producers put PER_PROD items each (item = producer * PER_PROD + i);
 *   NCONS consumers get PER_CONS items each, so all end exactly when every
 *   item is got.
 *
 * What it abstracts away
 *   - Memory orders: Promela is sequentially consistent; the code's seq_cst
 *     stores and loads around the sleeper count are what make it so where it
 *     matters (lib/queue.hpp, WaitSide::wake_one).
 *   - The claim word and the repair of a dead producer's cell, the timed forms,
 *     close(), and the sleepers' kRecheck time-out: without the time-out a
 *     lost wake-up is a sleeper that never wakes, which pan reports.
 *   - The futex: futex_wait compares epoch with e and goes to sleep in one
 *     atomic step (as the kernel does under its bucket lock); futex_wake wakes
 *     every sleeper of that word (BROKEN_WAKE_ONE: one, chosen nondeterministically).
 *
 * Properties (pan -DSAFETY)
 *   - Every item got exactly once: a ghost count per item, asserted 1 at each
 *     get, and every count asserted 1 once all processes have ended.
 *   - FIFO per producer: each consumer sees a producer's items in order.
 *   - No lost wake-up: a process asleep in futex_wait is not at a valid end
 *     state, so a sleeper left when the others have ended is reported as an
 *     "invalid end state".
 *
 * Deliberately broken variants (spin -DBROKEN_... -a queue.pml)
 *   BROKEN_PLAIN_SEQ  Vyukov's seq = p / p + 1 with capacity 1: full(p) and
 *                     free(p + 1) are the same value, so a put overwrites an
 *                     item not yet got -> an item is lost or got twice.
 *   BROKEN_EPOCH_LATE the sleeper reads the epoch after its re-check instead
 *                     of before: a wake between the two is missed -> lost wake-up.
 *   BROKEN_CHECK_FIRST the sleeper re-checks the queue before adding itself
 *                     to sleepers: a waker in between sees no sleeper -> lost wake-up.
 *   BROKEN_WAKE_ONE   wake one sleeper, sleepers decrement their own count:
 *                     a wake spent on a sleeper that found its own cell not
 *                     ready (published out of order) and slept again leaves a
 *                     ready cell with a sleeper beside it -> lost wake-up.
 *                     (The first version of lib/queue.hpp; this model found it.)
 *   BROKEN_STALE_CHECK the re-check reads the position, then its cell, and
 *                     calls the queue empty when another consumer took that
 *                     position in between, though the next cell holds an item
 *                     published before the sleeper counted itself -> lost
 *                     wake-up. (The first version of lib/queue.hpp did this;
 *                     this model found it.)
 */

#ifndef CAP
#define CAP 2
#endif
#ifndef NPROD
#define NPROD 2
#endif
#ifndef NCONS
#define NCONS 2
#endif
#ifndef PER_PROD
#define PER_PROD 1
#endif
#define TOTAL (NPROD * PER_PROD)
#define PER_CONS (TOTAL / NCONS)
#define NPROC (NPROD + NCONS)

#ifdef BROKEN_PLAIN_SEQ
#define FREE(p) (p)
#define FULL(p) ((p) + 1)
#else
#define FREE(p) (2 * (p))
#define FULL(p) (2 * (p) + 1)
#endif

#define EMPTY 0 /* consumers sleep here: waiting for an item */
#define ROOM 1  /* producers sleep here: waiting for room */

byte enq, deq;
byte seq[CAP];
byte item[CAP];
byte epoch[2];
byte sleepers[2];
bool asleep[NPROC + 1];  /* by _pid (init is 0) */
byte side_of[NPROC + 1];
byte got[TOTAL];

/* WaitSide::wake: exchange the count to 0; if it was not 0, bump the epoch
 * and wake every sleeper of the side. BROKEN_WAKE_ONE wakes one (chosen
 * nondeterministically) and leaves the count to the sleepers, decremented
 * when they return, as the first version of lib/queue.hpp did. */
inline wake(side) {
#ifdef BROKEN_WAKE_ONE
  epoch[side]++;
  atomic {
    if
    :: asleep[1] && side_of[1] == side -> asleep[1] = false
    :: asleep[2] && side_of[2] == side -> asleep[2] = false
    :: asleep[3] && side_of[3] == side -> asleep[3] = false
    :: asleep[4] && side_of[4] == side -> asleep[4] = false
    :: else -> skip
    fi
  }
#else
  atomic { w = sleepers[side]; sleepers[side] = 0 }
  if
  :: w > 0 ->
     epoch[side]++;
     atomic {
       if :: side_of[1] == side -> asleep[1] = false :: else -> skip fi;
       if :: side_of[2] == side -> asleep[2] = false :: else -> skip fi;
       if :: side_of[3] == side -> asleep[3] = false :: else -> skip fi;
       if :: side_of[4] == side -> asleep[4] = false :: else -> skip fi
     }
  :: else -> skip
  fi
#endif
}

inline futex_wait(side, e) {
  atomic {
    if
    :: epoch[side] == e -> asleep[_pid] = true
    :: else -> skip
    fi
  }
  (!asleep[_pid])
}

/* Sleep on side until the re-check may pass. RECHECK sets r: it reads the
 * position, then the cell's seq, in two steps, as the code does. */
#ifdef BROKEN_WAKE_ONE
#define UNCOUNT(side) sleepers[side]--
#else
#define UNCOUNT(side) skip
#endif
#ifdef BROKEN_EPOCH_LATE
#define SLEEP(side, RECHECK) \
  sleepers[side]++; \
  RECHECK; \
  if :: r -> skip :: else -> e = epoch[side]; futex_wait(side, e) fi
#elif defined(BROKEN_CHECK_FIRST)
#define SLEEP(side, RECHECK) \
  e = epoch[side]; \
  RECHECK; \
  if :: r -> skip :: else -> sleepers[side]++; futex_wait(side, e) fi
#else
#define SLEEP(side, RECHECK) \
  e = epoch[side]; \
  sleepers[side]++; \
  RECHECK; \
  if :: r -> skip :: else -> futex_wait(side, e) fi; \
  UNCOUNT(side)
#endif

/* The re-check: the cell at the position read is ready, or its seq is past
 * it (another process took that position meanwhile: read the position again).
 * BROKEN_STALE_CHECK gives up on a taken position instead. */
#ifdef BROKEN_STALE_CHECK
#define CHECK(POS, WANT) r = POS; r = (seq[r % CAP] == WANT(r))
#else
#define CHECK(POS, WANT) \
  do \
  :: r = POS; s = seq[r % CAP]; \
     if \
     :: s == WANT(r) -> r = 1; break \
     :: s < WANT(r) -> r = 0; break \
     :: else -> skip \
     fi \
  od
#endif
#define ROOM_CHECK CHECK(enq, FREE)
#define ITEM_CHECK CHECK(deq, FULL)


proctype Producer(byte me) {
  byte i = 0, pos, s, e, r, w;
  side_of[_pid] = ROOM;
  do
  :: i < PER_PROD ->
     pos = enq;
     s = seq[pos % CAP];
     if
     :: s == FREE(pos) ->
        atomic {
          if
          :: enq == pos -> enq = pos + 1; r = 1
          :: else -> r = 0
          fi
        }
        if
        :: r ->
           item[pos % CAP] = me * PER_PROD + i;
           seq[pos % CAP] = FULL(pos);
           if :: sleepers[EMPTY] > 0 -> wake(EMPTY) :: else -> skip fi;
           i++
        :: else -> skip
        fi
     :: s < FREE(pos) ->
        SLEEP(ROOM, ROOM_CHECK)
     :: else -> skip
     fi
  :: else -> break
  od
}

proctype Consumer(byte me) {
  byte n = 0, pos, s, e, r, v, w;
  byte last[NPROD];  /* the next index expected at least, per producer */
  side_of[_pid] = EMPTY;
  do
  :: n < PER_CONS ->
     pos = deq;
     s = seq[pos % CAP];
     if
     :: s == FULL(pos) ->
        atomic {
          if
          :: deq == pos -> deq = pos + 1; r = 1
          :: else -> r = 0
          fi
        }
        if
        :: r ->
           v = item[pos % CAP];
           seq[pos % CAP] = FREE(pos + CAP);
           if :: sleepers[ROOM] > 0 -> wake(ROOM) :: else -> skip fi;
           got[v]++;
           assert(got[v] == 1);
           assert(v % PER_PROD >= last[v / PER_PROD]);
           last[v / PER_PROD] = v % PER_PROD + 1;
           n++
        :: else -> skip
        fi
     :: s < FULL(pos) ->
        SLEEP(EMPTY, ITEM_CHECK)
     :: else -> skip
     fi
  :: else -> break
  od
}

init {
  byte i;
  assert(NPROC <= 4);  /* wake() names four processes */
  for (i : 0 .. CAP - 1) { seq[i] = FREE(i) }
  atomic {
    for (i : 0 .. NPROD - 1) { run Producer(i) }
    for (i : 0 .. NCONS - 1) { run Consumer(i) }
  }
  (_nr_pr == 1);
  for (i : 0 .. TOTAL - 1) { assert(got[i] == 1) }
}
