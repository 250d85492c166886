// RecursiveLock<L>: re-entrant for its holder, like Python's RLock. Wraps any
// lock kind L in the same shared object.
// Words: inner_ (an L), owner_ (the holder's tid, 0 when free) and count_
//   (how many times the holder has locked; only the holder reads or writes it).
// States: owner_ 0, count_ 0: free (inner_ free). owner_ tid, count_ n >= 1:
//   held n deep by tid (inner_ held by tid).
// Transitions: lock by the holder bumps count_; by anyone else it takes inner_,
//   then sets owner_ and count_ = 1. unlock drops count_ and, at 0, clears
//   owner_ and unlocks inner_.
// Fairness, timed forms and owner death: inner_'s. With L = RobustLock the
//   next locker after a death gets owner_died with the lock held once.
// Who holds it: owner_ == self alone does not say. A holder that dies leaves
//   owner_ and count_ behind (with L = RobustLock the kernel frees inner_), and
//   a later thread can get the dead one's tid (tids are recycled, and two PID
//   namespaces both have a tid 1). So the caller holds the lock only when
//   owner_ == self and inner_.owner() == self: re-entry, unlock() and depth()
//   check both, and a stale owner_ is overwritten by the next take.
// Misuse: unlock() by a non-holder throws EPERM. fork(): a child's tid is
//   never owner_, so it does not believe it holds its parent's lock.
#pragma once

#include <atomic>
#include <chrono>
#include <cstdint>
#include <string>

#include "billiard/locks/futex_lock.hpp"
#include "billiard/locks/lock_errors.hpp"
#include "billiard/locks/thread_id.hpp"
#include "billiard/locks/timed_lockable.hpp"

namespace billiard {

template <class L = FutexLock>
class RecursiveLock : public TimedLockable<RecursiveLock<L>> {
 public:
  static inline const std::string kName = std::string("RecursiveLock<") + L::kName + ">";

  RecursiveLock() = default;
  RecursiveLock(const RecursiveLock&) = delete;
  RecursiveLock& operator=(const RecursiveLock&) = delete;

  void lock() {
    if (reenter()) return;
    take([&] {
      inner_.lock();
      return true;
    });
  }

  bool try_lock() { return reenter() || take([&] { return inner_.try_lock(); }); }

  using TimedLockable<RecursiveLock<L>>::try_lock_until;
  bool try_lock_until(std::chrono::steady_clock::time_point deadline) {
    return reenter() || take([&] { return inner_.try_lock_until(deadline); });
  }

  void unlock() {
    const std::uint32_t self = current_tid();
    if (!held_by(self)) detail::throw_not_owner("RecursiveLock::unlock", self, owner());
    if (--count_ != 0) return;
    owner_.store(0, std::memory_order_relaxed);  // relaxed: inner_.unlock() below releases
    inner_.unlock();
  }

  // relaxed: only a holder stores its own tid, so a reader that finds its
  // own tid here wrote it itself, or a dead thread with the same tid did;
  // held_by() tells the two apart. Any other value means "not mine".
  std::uint32_t owner() const noexcept { return owner_.load(std::memory_order_relaxed); }
  std::uint32_t depth() const noexcept { return held_by(current_tid()) ? count_ : 0; }

 private:
  // inner_.owner() is read second and only when owner_ is ours: then inner_
  // says whether we took it (a live holder) or a dead namesake did.
  bool held_by(std::uint32_t self) const noexcept { return owner() == self && inner_.owner() == self; }

  bool reenter() noexcept {
    if (!held_by(current_tid())) return false;
    ++count_;
    return true;
  }

  // acquire() takes inner_ (or throws, or returns false); then we own it once.
  // If it throws owner_died it has taken inner_: record ownership first.
  template <class Acquire>
  bool take(Acquire acquire) {
    try {
      if (!acquire()) return false;
    } catch (const owner_died&) {
      own();
      throw;
    }
    own();
    return true;
  }
  void own() noexcept {
    owner_.store(current_tid(), std::memory_order_relaxed);
    count_ = 1;
  }

  L inner_;
  std::atomic<std::uint32_t> owner_{0};
  std::uint32_t count_ = 0;
};

}  // namespace billiard
