// SeqLock: writers exclude each other; readers never block a writer and retry
// on a torn read (Boehm, "Can seqlocks get along with programming language
// memory models?", MSPC 2012; Linux Documentation/locking/seqlock.rst).
// Words: writer_ (a FutexLock that writers take) and seq_ (the sequence).
// States: seq_ even: no writer inside, the data is whole. seq_ odd: a writer
//   is inside, the data may be half-written.
// Writer (lock/unlock): take writer_, seq_ += 1 (odd), release fence, write
//   the data, seq_ += 1 (even) with release, free writer_.
// Reader (read_begin/read_retry): s = seq_ (acquire), waiting while odd; copy
//   the data with relaxed atomic loads; acquire fence; retry if seq_ != s.
//   Value<T, SeqLock>::load() does this: it never takes a lock and never
//   returns a torn value, for any trivially copyable T.
// Fairness: writers as FutexLock (barging); readers can starve while writers
//   write back to back.
// Misuse: lock() by the writing holder throws EDEADLK; unlock() by a
//   non-holder EPERM. Owner death: a writer that dies inside leaves seq_ odd:
//   readers wait (yielding the CPU) until a writer takes the lock again, which
//   only the timed forms can do past a dead holder. Not for processes that may
//   be killed mid-write; use RobustLock there. fork(): as FutexLock.
#pragma once

#include <atomic>
#include <chrono>
#include <cstdint>

#include "billiard/locks/futex_lock.hpp"
#include "billiard/locks/timed_lockable.hpp"

namespace billiard {

class SeqLock : public TimedLockable<SeqLock> {
 public:
  static constexpr const char* kName = "SeqLock";

  SeqLock() noexcept = default;
  SeqLock(const SeqLock&) = delete;
  SeqLock& operator=(const SeqLock&) = delete;

  void lock() {
    writer_.lock();
    begin_write();
  }
  bool try_lock() {
    if (!writer_.try_lock()) return false;
    begin_write();
    return true;
  }
  using TimedLockable::try_lock_until;
  bool try_lock_until(std::chrono::steady_clock::time_point deadline) {
    if (!writer_.try_lock_until(deadline)) return false;
    begin_write();
    return true;
  }
  void unlock();

  // A read: s = read_begin(); copy with relaxed loads; done if !read_retry(s).
  std::uint32_t read_begin() const noexcept {
    const std::uint32_t s = seq_.load(std::memory_order_acquire);  // pairs with unlock()'s release
    return (s & 1) == 0 ? s : wait_for_writer();
  }
  bool read_retry(std::uint32_t begin) const noexcept {
    std::atomic_thread_fence(std::memory_order_acquire);  // orders the copy's loads before the re-read
    return seq_.load(std::memory_order_relaxed) != begin;  // relaxed: the fence above orders it
  }

  std::uint32_t owner() const noexcept { return writer_.owner(); }
  std::uint32_t sequence() const noexcept { return seq_.load(std::memory_order_relaxed); }

 private:
  [[gnu::cold, gnu::noinline]] std::uint32_t wait_for_writer() const noexcept;

  void begin_write() noexcept {
    // relaxed: only the writer holding writer_ stores seq_; the fence orders
    // this odd value before every data store that follows.
    seq_.store(seq_.load(std::memory_order_relaxed) + 1, std::memory_order_relaxed);
    std::atomic_thread_fence(std::memory_order_release);
  }

  FutexLock writer_;
  std::atomic<std::uint32_t> seq_{0};
};

}  // namespace billiard
