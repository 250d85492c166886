/*
 * SeqLock: a model of the sequence-lock protocol, as locks/seq_lock.hpp
 * implements it, checked with Spin.
 *
 * What it models
 *   A sequence word seq (even: no writer inside; odd: a writer inside) and a
 *   protected value T, modelled as NFIELDS (3) fields written one at a time.
 *   Writer i publishes version k+1 when it finds seq == 2k: every field then
 *   holds k+1, so a consistent copy has all fields equal, and the copy that
 *   goes with an even seq s holds s/2.
 *     writer: lock the writers' mutex; seq = seq+1 (odd); write the fields
 *             one by one; seq = seq+1 (even); unlock the mutex
 *     reader: loop { s1 = seq; if s1 odd, retry; copy the fields one by one;
 *                    s2 = seq; if s1 == s2 accept the copy, else retry }
 *   NWRITERS (2) writers each write NWRITES (2) times; NREADERS (2) readers
 *   each read once.
 *
 * What it abstracts away
 *   - Memory orders. Promela is sequentially consistent; the fences the C++
 *     code needs (release on the odd store before the data stores, acquire
 *     after the data loads before re-reading seq) are argued in the code.
 *     Copying field by field stands for a copy that may be torn anywhere.
 *   - The writers' mutex (a FutexLock in C++, modelled in futex_lock.pml) is
 *     an atomic test-and-set; a writer waiting for it just blocks. Only its
 *     holder writes seq, so seq's increments are a load and a store, as in
 *     the C++ code.
 *   - A reader waiting for an even seq (it yields the CPU in C++) just
 *     retries. A writer that dies inside is not modelled.
 *   - Wrap-around of seq.
 *
 * Properties and how they are checked (pan compiled with -DSAFETY)
 *   - Never torn: an accepted copy has all fields equal:
 *     assert(c0 == c1 && c1 == c2).
 *   - Not stale either: the accepted copy is the one published at s1:
 *     assert(c0 == s1 / 2).
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

byte seq = 0;
bool wlock = false;          /* the writers' mutex */
byte d0 = 0, d1 = 0, d2 = 0; /* the protected value: version 0 */

active [NWRITERS] proctype Writer() {
  byte n = 0;
  byte v;

  do
  :: n < NWRITES ->
     atomic { !wlock -> wlock = true }      /* lock the writers' mutex */
#ifdef BROKEN_ONE_BUMP
     v = seq;
#else
     v = seq;                               /* begin_write(): a load ... */
     seq = v + 1;                           /* ... and a store: odd */
#endif
     v = v / 2 + 1;                         /* the version this write makes */
     d0 = v;
     d1 = v;
     d2 = v;
#ifdef BROKEN_ONE_BUMP
     seq = seq + 2;
#else
     seq = seq + 1;                         /* unlock(): even again */
#endif
     v = 0;
     wlock = false;
     n++
  :: else -> break
  od
}

active [NREADERS] proctype Reader() {
  byte s1, c0, c1, c2;

  do
  :: s1 = seq;
     if
#ifndef BROKEN_NO_ODD_CHECK
     :: s1 % 2 == 1 -> skip                 /* a writer is inside: retry */
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
  assert(c0 == c1 && c1 == c2);             /* never torn */
  assert(c0 == s1 / 2)                      /* the version published at s1 */
}
