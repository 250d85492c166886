// FutexLock, the default lock: one 32-bit word in the shared mapping.
// Word (the kernel's robust-futex layout, so RobustLock shares it; owner_word.hpp):
//   bits 0-29  owner: kernel thread id (gettid) of the holder, 0 when free
//   bit 30     kHandoff: a waiter has waited past kStarveAfter (1 ms). It is
//              RobustLock's kOwnerDied bit; FutexLock is on no robust list,
//              so the kernel never touches it here.
//   bit 31     kWaiters: someone may be asleep in FUTEX_WAIT on this word
// States:  0                          unlocked
//          tid                        held by tid, nobody asleep: unlock is one exchange
//          tid | kWaiters             held by tid, sleepers possible: unlock wakes one
//          tid | kHandoff | kWaiters  held, a starving waiter asked: unlock hands off
//          kHandoff | kWaiters        unlocked, reserved for a starving waiter
// Transitions: lock tries CAS 0 -> tid, spins on loads (Backoff), then sets
//   kWaiters (and kHandoff once it has waited kStarveAfter) and sleeps on the
//   exact value it saw; a starving waiter first watches the word awake for
//   one more Backoff. unlock exchanges the word to 0 and, if kWaiters was
//   set, wakes one sleeper; if kHandoff was set, it reserves the word, wakes
//   one starving sleeper and yields the CPU; the starving waiter takes the
//   word. Finding none asleep, unlock spins while the word stays reserved (the
//   waiter is awake), then un-reserves it and wakes any one. A woken waiter
//   locks as tid | kWaiters: it cannot know whether it was the last sleeper.
// Fairness: bounded (Go's starvation mode, WebKit's fair hand-off): barging
//   while waits are short; a waiter that has waited kStarveAfter gets the lock
//   at the next unlock (or the one after, if a newcomer slipped in between
//   unlock's exchange and its reservation), unless other starving waiters are
//   ahead of it (the kernel wakes them oldest first). The scheduler adds the
//   time until the waiter runs: up to a tick (4 ms at HZ=250) where the kernel
//   placed it on a busy CPU. Where strict order matters, use TicketLock.
// Lost wakes: no sleep is longer than OwnerWord::kRecheck (20 ms). A sleeper
//   woken and SIGKILLed before it takes the lock, or an unlocker killed between
//   its exchange and its wake, delays the other sleepers by at most that, never
//   strands them (docs/reliability.md has the measured figure).
// Misuse: lock() and the timed forms by the holder throw EDEADLK; try_lock()
//   by the holder returns false (POSIX error-checking trylock, Python's
//   acquire(False), Rust's try_lock); unlock() by a non-holder throws EPERM.
// Owner death: not detected: the lock stays held by the dead tid;
//   try_lock_for() still returns at its deadline. Use RobustLock. A waiter's
//   death is harmless (above). fork(): a child never owns what its parent
//   held; the per-thread tid cache is reset by a pthread_atfork child handler.
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
