// SpinLock: test-and-test-and-set with backoff; never sleeps in the kernel.
// Word: the holder's tid (gettid), 0 when free.
// States: 0 free; tid held by tid.
// Transitions: lock CASes 0 -> tid; on failure it watches the word with loads
//   (no cache-line ping-pong while held), backing off (Backoff::snooze: pause
//   rounds, then sched_yield so a descheduled holder can run), and CASes again
//   when it reads 0. unlock stores 0.
// Fairness: none; no FIFO. Best for very short sections with no more
//   processes than cores; with more it burns the CPU the holder needs.
// Misuse: lock() and the timed forms by the holder throw EDEADLK; try_lock()
//   by the holder returns false (POSIX error-checking trylock, Python's
//   acquire(False), Rust's try_lock); unlock() by a non-holder throws EPERM.
// Owner death: not detected; lock() spins forever behind a dead holder, the
//   timed forms return at their deadline. Use RobustLock. fork(): as FutexLock.
#pragma once

#include <atomic>
#include <chrono>
#include <cstdint>

#include "billiard/locks/lock_errors.hpp"
#include "billiard/locks/thread_id.hpp"
#include "billiard/locks/timed_lockable.hpp"

namespace billiard {

class SpinLock : public TimedLockable<SpinLock> {
 public:
  static constexpr const char* kName = "SpinLock";

  SpinLock() noexcept = default;
  SpinLock(const SpinLock&) = delete;
  SpinLock& operator=(const SpinLock&) = delete;

  void lock() {
    const std::uint32_t self = current_tid();
    if (!try_acquire(self)) [[unlikely]] lock_contended(self);
  }

  // False when held, by the caller too (POSIX error-checking trylock).
  bool try_lock() { return try_acquire(current_tid()); }

  using TimedLockable::try_lock_until;
  bool try_lock_until(std::chrono::steady_clock::time_point deadline);

  void unlock() {
    const std::uint32_t self = current_tid();
    if (owner() != self) [[unlikely]] detail::throw_not_owner("SpinLock::unlock", self, owner());
    word_.store(0, std::memory_order_release);  // publishes the critical section to the next CAS
  }

  std::uint32_t owner() const noexcept {
    return word_.load(std::memory_order_relaxed);  // relaxed: a snapshot for checks and reports
  }

 private:
  bool try_acquire(std::uint32_t self) noexcept {
    std::uint32_t seen = 0;
    return word_.compare_exchange_strong(seen, self,
                                         std::memory_order_acquire,   // pairs with unlock()'s store
                                         std::memory_order_relaxed);  // failure: nothing read is used
  }
  [[gnu::cold, gnu::noinline]] void lock_contended(std::uint32_t self);

  std::atomic<std::uint32_t> word_{0};
};

}  // namespace billiard
