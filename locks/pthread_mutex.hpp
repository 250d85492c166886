// PthreadMutex: glibc's process-shared mutex, the baseline every comparison
// includes. Word: a pthread_mutex_t (PTHREAD_PROCESS_SHARED,
// PTHREAD_MUTEX_ERRORCHECK) plus owner_, the holder's tid, for owner()
// and unlock()'s check.
// States, transitions and sleeping are glibc's (lowlevellock.h: 0 free,
// 1 held, 2 held with possible waiters), on a shared futex.
// Fairness: none (glibc barges). Timed forms: pthread_mutex_clocklock on
//   CLOCK_MONOTONIC. lock() sleeps in slices of OwnerWord::kRecheck (20 ms):
//   glibc's sleepers sleep until woken, so a waiter woken by unlock() and
//   SIGKILLed before it takes the mutex would leave the other sleepers asleep
//   on a free mutex until someone contends again (issue 10, defect 3); with
//   the slices that costs them at most one slice. The bench's glibc baseline
//   is a bare pthread_mutex_t, not this class.
// Misuse: glibc's error-checking type reports EDEADLK on relock and EPERM on
//   a foreign unlock; we throw them as std::system_error. Its trylock by the
//   holder says EBUSY: try_lock() returns false, as for any holder.
// Owner death: not detected; try_lock_for() still returns at its deadline.
//   fork(): the child's tid differs from every holder's, so it owns nothing.
// The mutex is never pthread_mutex_destroy'ed: a child may still use it, and
//   glibc's destroy only checks that it is unlocked.
#pragma once

#include <pthread.h>

#include <atomic>
#include <chrono>
#include <cstdint>

#include "billiard/locks/timed_lockable.hpp"

namespace billiard {

class PthreadMutex : public TimedLockable<PthreadMutex> {
 public:
  static constexpr const char* kName = "PthreadMutex";

  PthreadMutex();
  PthreadMutex(const PthreadMutex&) = delete;
  PthreadMutex& operator=(const PthreadMutex&) = delete;

  void lock();
  bool try_lock();
  using TimedLockable::try_lock_until;
  bool try_lock_until(std::chrono::steady_clock::time_point deadline);
  void unlock();

  std::uint32_t owner() const noexcept { return owner_.load(std::memory_order_relaxed); }
  pthread_mutex_t* native_handle() noexcept { return &mutex_; }

 private:
  pthread_mutex_t mutex_;
  std::atomic<std::uint32_t> owner_{0};  // relaxed everywhere: the mutex orders; this is for checks
};

}  // namespace billiard
