// FutexLock, the default lock: one 32-bit word in the shared mapping.
// Word (the kernel's robust-futex layout, so RobustLock shares it; owner_word.hpp):
//   bits 0-29  owner: kernel thread id (gettid) of the holder, 0 when free
//   bit 30     kOwnerDied: RobustLock only; FutexLock never sets or reads it
//   bit 31     kWaiters: someone may be asleep in FUTEX_WAIT on this word
// States:  0               unlocked
//          tid             held by tid, nobody asleep: unlock is one exchange
//          tid | kWaiters  held by tid, sleepers possible: unlock wakes one
// Transitions: lock tries CAS 0 -> tid, spins on loads (Backoff), then sets
//   kWaiters and sleeps on the exact value it saw. unlock exchanges the word
//   to 0 and wakes one sleeper if kWaiters was set. A woken waiter locks as
//   tid | kWaiters: it cannot know whether it was the last sleeper.
// Fairness: none (barging); a waiter can lose to newcomers again and again.
//   Where order matters, use TicketLock.
// Misuse: lock() by the holder throws EDEADLK; unlock() by a non-holder EPERM.
// Owner death: not detected; try_lock_for() still returns at its deadline.
//   Use RobustLock. fork(): a child never owns what its parent held; the
//   per-thread tid cache is reset by a pthread_atfork child handler.
#pragma once

#include <chrono>
#include <cstdint>

#include "billiard/locks/lock_errors.hpp"
#include "billiard/locks/owner_word.hpp"
#include "billiard/locks/thread_id.hpp"
#include "billiard/locks/timed_lockable.hpp"

namespace billiard {

class FutexLock : public TimedLockable<FutexLock> {
 public:
  static constexpr const char* kName = "FutexLock";

  FutexLock() noexcept = default;
  FutexLock(const FutexLock&) = delete;
  FutexLock& operator=(const FutexLock&) = delete;

  void lock() {
    const std::uint32_t self = current_tid();
    if (!word_.try_acquire_free(self)) [[unlikely]] lock_contended(self);
  }

  // False when held, by the caller too (POSIX error-checking trylock).
  bool try_lock() { return word_.try_acquire_free(current_tid()); }

  using TimedLockable::try_lock_until;
  bool try_lock_until(std::chrono::steady_clock::time_point deadline);

  void unlock() {
    const std::uint32_t self = current_tid();
    if (word_.owner() != self) [[unlikely]]
      detail::throw_not_owner("FutexLock::unlock", self, word_.owner());
    word_.release();
  }

  // The holder's tid, 0 when free: a snapshot for reports and misuse checks.
  std::uint32_t owner() const noexcept { return word_.owner(); }

 private:
  [[gnu::cold, gnu::noinline]] void lock_contended(std::uint32_t self);

  OwnerWord word_;
};

}  // namespace billiard
