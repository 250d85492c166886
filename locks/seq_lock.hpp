// SeqLock: writers exclude each other; readers never block a writer, never
// write a shared line, and retry on a torn read (Boehm, "Can seqlocks get along
// with programming language memory models?", MSPC 2012; Linux
// Documentation/locking/seqlock.rst).
// Words, each on a cache line of its own:
//   seq_     the sequence (offset 0): the only lock word a reader reads while
//            no writer is inside, and one that only writes dirty.
//   writer_  a RobustLock (offset 64) that writers take: its lock and unlock
//            never touch the line readers poll.
// States: seq_ even: no writer inside, the data is whole. seq_ odd: a writer
//   holds writer_ and the data may be half-written. seq_ odd with writer_
//   free (owner bits 0): the writer died mid-write.
// Writer (lock/unlock): take writer_; if seq_ is even, seq_ += 1 (odd) with
//   release (orders the take before the odd value, so a reader that sees the
//   odd value and then writer_ free knows the writer died); release fence;
//   write the data; seq_ += 1 (even) with release; free writer_.
// Reader (read_begin/read_retry): s = seq_ (acquire); copy the data with
//   relaxed atomic loads; acquire fence; retry if seq_ != s. While s is odd it
//   spins on seq_ alone (Backoff, about 5 us), then on every round re-reads
//   writer_ (is the caller the writer? did it die?) and yields the core. So a
//   read that meets no writer loads seq_ twice and the data once, and a read
//   never touches writer_'s line unless a write has lasted the whole budget.
//   Value<T, SeqLock>::load(), Array<T, SeqLock>::load(i) and to_vector() do
//   this: they take no lock, store to no shared line, and never return a torn
//   value, for any trivially copyable T.
// Writer death (SIGKILL anywhere): writer_ is robust, so the kernel frees it
//   with kOwnerDied when the writer dies. Died before the odd store or after
//   the even one: the data is whole; readers go on; the next writer is told
//   (owner_died). Died in between (seq_ odd): a reader throws owner_died
//   once it sees writer_ free with seq_ unchanged: within one round of its
//   wait after the kernel has freed the word (bound and figures:
//   docs/reliability.md). It never returns a torn value. The next lock(),
//   try_lock() or timed form takes writer_, keeps seq_ odd and throws
//   owner_died: the catcher holds the lock and writes the whole value
//   (Value::lock(std::adopt_lock), Array::lock(std::adopt_lock)); its
//   unlock() makes seq_ even and readers get whole values again.
// Fairness: writers as RobustLock (barging); readers can starve while writers
//   write back to back, and they spin (yielding) while a writer is inside.
// Misuse: lock() and the timed forms by the writing holder throw EDEADLK;
//   try_lock() by it returns false; a read (load, to_vector) by it throws
//   EDEADLK after the spin budget instead of waiting for itself; unlock() by
//   a non-holder EPERM.
//   fork(): as RobustLock: a child never holds its parent's lock.
// Not for: large values written often (readers retry), or writers that hold
//   the lock for long (readers spin meanwhile).
#pragma once

#include <atomic>
#include <chrono>
#include <cstdint>

#include "billiard/atomic/cache_line.hpp"
#include "billiard/locks/robust_lock.hpp"
#include "billiard/locks/timed_lockable.hpp"

namespace billiard {

class SeqLock : public TimedLockable<SeqLock> {
 public:
  static constexpr const char* kName = "SeqLock";

  SeqLock() noexcept = default;
  SeqLock(const SeqLock&) = delete;
  SeqLock& operator=(const SeqLock&) = delete;

  // Each throws owner_died after taking a lock whose last writer died.
  void lock();
  bool try_lock();
  using TimedLockable::try_lock_until;
  bool try_lock_until(std::chrono::steady_clock::time_point deadline);
  void unlock();

  // A read: s = read_begin(); copy with relaxed loads; done if !read_retry(s).
  // read_begin() throws owner_died (a writer died mid-write) or EDEADLK (the
  // caller is the writer).
  std::uint32_t read_begin() const {
    const std::uint32_t s = seq_.load(std::memory_order_acquire);  // pairs with the writer's release stores
    return (s & 1) == 0 ? s : wait_for_writer(s);
  }
  bool read_retry(std::uint32_t begin) const noexcept {
    std::atomic_thread_fence(std::memory_order_acquire);  // orders the copy's loads before the re-read
    return seq_.load(std::memory_order_relaxed) != begin;  // relaxed: the fence above orders it
  }

  std::uint32_t owner() const noexcept { return writer_.owner(); }
  std::uint32_t sequence() const noexcept { return seq_.load(std::memory_order_relaxed); }

 private:
  [[gnu::cold, gnu::noinline]] std::uint32_t wait_for_writer(std::uint32_t odd) const;
  bool writer_died(std::uint32_t odd) const noexcept;
  bool begin_write() noexcept;  // true if the last writer died mid-write
  [[noreturn]] void throw_writer_died(const char* where, bool mid_write) const;
  template <class Take>
  bool take(const char* where, Take take_writer);

  alignas(kCacheLine) std::atomic<std::uint32_t> seq_{0};
  alignas(kCacheLine) RobustLock writer_;
};

static_assert(sizeof(SeqLock) == 2 * kCacheLine);

}  // namespace billiard
