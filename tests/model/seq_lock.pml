/*
 * SeqLock: a model of the sequence-lock protocol, as locks/seq_lock.{hpp,cpp}
 * implement it, checked with Spin; with -DWRITER_DIES, writers may be killed.
 *
 * What it models
 *   A sequence word seq (even: no writer inside; odd: a writer inside) and a
 *   protected value T, modelled as NFIELDS (3) fields written one at a time.
 *   Writer i publishes version k+1 when it finds seq == 2k (or 2k+1, left odd
 *   by a writer that died mid-write): every field then holds k+1, so a
 *   consistent copy has all fields equal, and the copy that goes with an even
 *   seq s holds s/2.
 *     writer: take the writers' lock wlock (robust: holds the owner, 0 when
 *             free); begin_write: v = seq; if v even, seq = v+1 (odd), else
 *             leave it odd (the last writer died mid-write); write the fields
 *             one by one; seq = seq+1 (even); free wlock
 *     reader: loop { s1 = seq;
 *                    if s1 odd: wait until seq != s1 (retry) or wlock is
 *                      free; then re-read seq: still s1 means the writer
 *                      died mid-write: the reader is told (owner_died) and
 *                      stops, else retry;
 *                    else copy the fields one by one; s2 = seq; if s1 == s2
 *                      accept the copy, else retry }
 *   NWRITERS (2) writers each write NWRITES (2) times; NREADERS (2) readers
 *   each read once. With -DWRITER_DIES a holder may die between any two of
 *   its steps (at most MAXDEATHS (1) deaths): the kernel then frees wlock
 *   with OWNER_DIED (robust_lock.pml checks that protocol: the next taker of
 *   wlock is told), and a dead writer does nothing more.
 *
 * What it abstracts away
 *   - Memory orders. Promela is sequentially consistent; the fences and the
 *     release/acquire pairs the C++ code needs (the odd store after taking
 *     writer_, the data stores after the odd value, the acquire fence between
 *     the copy or the read of writer_ and the re-read of seq) are argued in
 *     the code. Copying field by field stands for a copy torn anywhere.
 *   - The writers' lock is an atomic test-and-set of the owner; a writer
 *     waiting for it blocks. Only its holder writes seq, so seq's increments
 *     are a load and a store, as in the C++ code.
 *   - A reader's wait for an even seq (spin, then yield and re-read writer_
 *     each round) is one blocking choice: it goes on when seq has moved or
 *     wlock is free, whichever it notices; it never blocks otherwise.
 *   - Wrap-around of seq.
 *
 * Properties and how they are checked (pan compiled with -DSAFETY)
 *   - Never torn: an accepted copy has all fields equal:
 *     assert(c0 == c1 && c1 == c2).
 *   - Not stale either: the accepted copy is the one published at s1:
 *     assert(c0 == s1 / 2).
 *   - No reader hangs, whoever dies: a reader blocked while every writer has
 *     finished or died is an invalid end state.
 *   - A reader is told only of a real death mid-write: assert(dead_mid_write)
 *     where it concludes so (a ghost set when a writer dies with seq odd,
 *     cleared by the next writer's even store).
 *   - The next writer's write makes the value whole again: at every even
 *     store, assert(seq even and every field == seq / 2).
 *   -DCHECK_TORN, -DCHECK_TOLD or -DCHECK_REPAIR compiles in only that group.
 *   (Readers retry without bound; a reader starved by writers forever is a
 *   livelock, not a safety property, and is not checked.)
 *
 * Deliberately broken variants (spin -DBROKEN_... -a seq_lock.pml)
 *   BROKEN_NO_ODD_CHECK the reader does not retry on an odd seq: it reads
 *                   while a writer is halfway through, and seq has not changed
 *                   when it re-reads it -> torn copy accepted.
 *   BROKEN_ONE_BUMP the writer writes the fields and then adds 2 to seq at the
 *                   end (no odd phase): a reader that copies during the write
 *                   sees the same even seq before and after -> torn copy.
 *   With -DWRITER_DIES:
 *   BROKEN_NO_DEATH_CHECK the reader waits only for seq to move (the code
 *                   before robust writers): the writer dies mid-write after
 *                   the last other write -> the reader waits forever.
 *   BROKEN_NO_RESEQ the reader takes a free wlock alone for a death, without
 *                   re-reading seq: the writer finished in between -> a
 *                   reader told of a death that did not happen.
 *   BROKEN_RECOVER_BUMP the next writer adds 1 to the dead writer's odd seq
 *                   as if it were even: seq is even while it writes and odd
 *                   after it -> the value is not whole after its write.
 */

#ifndef NWRITERS
#define NWRITERS 2
#endif
#ifndef NWRITES
#define NWRITES 2
#endif
#ifndef NREADERS
#define NREADERS 2
#endif
#ifndef MAXDEATHS
#define MAXDEATHS 1
#endif

#if !defined(CHECK_TORN) && !defined(CHECK_TOLD) && !defined(CHECK_REPAIR)
#define CHECK_TORN
#define CHECK_TOLD
#define CHECK_REPAIR
#endif

byte seq = 0;
byte wlock = 0;              /* the writers' lock: owner (writer _pid + 1), 0 free */
byte d0 = 0, d1 = 0, d2 = 0; /* the protected value: version 0 */
byte deaths = 0;             /* ghost: writers killed so far */
bool dead_mid_write = false; /* ghost: a writer died with seq odd; no writer has written since */

/* A kill: the kernel frees the robust wlock (OWNER_DIED); the writer stops. */
inline die() {
  atomic {
    deaths++;
    dead_mid_write = dead_mid_write || (seq % 2 == 1);
    wlock = 0
  }
  goto dead
}

#ifdef WRITER_DIES
#define MAY_DIE if :: deaths < MAXDEATHS -> die() :: skip fi
#else
#define MAY_DIE skip
#endif

active [NWRITERS] proctype Writer() {
  byte n = 0;
  byte v;

  do
  :: n < NWRITES ->
     atomic { wlock == 0 -> wlock = _pid + 1 }  /* lock writer_ (told if its owner died) */
     MAY_DIE;
#ifdef BROKEN_ONE_BUMP
     v = seq;
#else
     v = seq;                               /* begin_write(): a load ... */
     if
#ifdef BROKEN_RECOVER_BUMP
     :: true ->
#else
     :: v % 2 == 0 ->
#endif
        seq = v + 1;                        /* ... and a store: odd */
        v = v + 1
     :: else -> skip                        /* left odd by a dead writer: keep it */
     fi;
#endif
     MAY_DIE;
     v = v / 2 + 1;                         /* the version this write makes */
     d0 = v;
     MAY_DIE;
     d1 = v;
     MAY_DIE;
     d2 = v;
     MAY_DIE;
     atomic {
#ifdef BROKEN_ONE_BUMP
       seq = seq + 2;
#else
       seq = seq + 1;                       /* unlock(): even again */
#endif
       dead_mid_write = false;
#ifdef CHECK_REPAIR
       assert(seq % 2 == 0 && d0 == seq / 2 && d1 == d0 && d2 == d0)  /* whole */
#endif
     }
     MAY_DIE;
     v = 0;
     wlock = 0;
     n++
  :: else -> break
  od;
dead:
  skip
}

active [NREADERS] proctype Reader() {
  byte s1, c0, c1, c2;

  do
  :: s1 = seq;
     if
#ifndef BROKEN_NO_ODD_CHECK
     :: s1 % 2 == 1 ->                      /* a writer is inside: wait */
        if
        :: seq != s1 -> skip                /* it moved on: retry */
#ifndef BROKEN_NO_DEATH_CHECK
        :: wlock == 0 ->                    /* writer_ free: did it die? */
#ifdef BROKEN_NO_RESEQ
           atomic {
#ifdef CHECK_TOLD
             assert(dead_mid_write);
#endif
             goto told
           }
#else
           if
           :: atomic {
                seq == s1 ->                /* the re-read: unchanged: dead */
#ifdef CHECK_TOLD
                assert(dead_mid_write);
#endif
                goto told
              }
           :: else -> skip                  /* it finished: retry */
           fi
#endif
#endif
        fi
#endif
     :: else ->
        c0 = d0;
        c1 = d1;
        c2 = d2;
        if
        :: seq == s1 -> break               /* s2 == s1: accept the copy */
        :: else -> c0 = 0; c1 = 0; c2 = 0   /* retry (clearing the copy only
                                               keeps the state space small) */
        fi
     fi
  od;
#ifdef CHECK_TORN
  assert(c0 == c1 && c1 == c2);             /* never torn */
  assert(c0 == s1 / 2);                     /* the version published at s1 */
#endif
told:
  skip
}
