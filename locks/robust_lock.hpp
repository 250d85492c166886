// RobustLock: survives the death of its holder.
// Word: an OwnerWord (owner_word.hpp), the kernel's robust-futex layout:
//   bits 0-29 owner tid, bit 30 kOwnerDied, bit 31 kWaiters.
// States: as FutexLock, plus kOwnerDied [| kWaiters]: free, its last holder died.
// Owner death: while held, the lock is on the holder thread's robust list,
//   the list the kernel walks when a thread dies (SIGKILL included): it finds
//   our word with the dead tid as owner, sets kOwnerDied (keeping kWaiters)
//   and wakes one sleeper. The next lock(), try_lock() or timed form takes the
//   lock and then throws billiard::owner_died: the catcher HOLDS the lock,
//   repairs what it guards, and unlocks; from then on the lock is consistent.
//   A death between taking the word and linking it is covered by the list's
//   list_op_pending slot, which we set around both, as glibc does. A process
//   killed between unlock()'s release and its wake, with a newcomer taking the
//   word in between, or a woken waiter killed before it takes the word, leaves
//   a sleeper no kernel wakes (tests/model/robust_lock.pml, DIE_ANYWHERE): no
//   sleep is longer than OwnerWord::kRecheck (20 ms), which bounds that wait.
// The robust list: the kernel has one list head per thread, and glibc
//   registers its own (for its robust pthread mutexes). We link our locks into
//   glibc's list, laid out as glibc lays out a pthread_mutex_t (word at offset
//   0, prev/next list pointers at 24/32), so glibc's robust mutexes and ours
//   share the list and both keep working. The layout is checked against the
//   futex_offset glibc registered on first use.
// Transitions: FutexLock's. Fairness: none (barging; FutexLock's hand-off bit
//   is this word's kOwnerDied). Misuse (EDEADLK, try_lock() false, EPERM): FutexLock's.
// fork(): glibc gives the child an empty list; the child owns nothing.
#pragma once

#include <chrono>
#include <cstddef>
#include <cstdint>

#include "billiard/locks/lock_errors.hpp"
#include "billiard/locks/owner_word.hpp"
#include "billiard/locks/thread_id.hpp"
#include "billiard/locks/timed_lockable.hpp"

namespace billiard {

class RobustLock : public TimedLockable<RobustLock> {
 public:
  static constexpr const char* kName = "RobustLock";

  RobustLock() noexcept = default;
  RobustLock(const RobustLock&) = delete;
  RobustLock& operator=(const RobustLock&) = delete;

  // Each throws owner_died after taking a lock whose holder died.
  void lock();
  bool try_lock();
  using TimedLockable::try_lock_until;
  bool try_lock_until(std::chrono::steady_clock::time_point deadline);
  void unlock();

  std::uint32_t owner() const noexcept { return word_.owner(); }

 private:
  bool acquired(std::uint32_t previous_word);  // links us in; reports a death
  void* entry() noexcept { return &next_; }

  OwnerWord word_;                // offset 0, as pthread_mutex_t's __lock
  std::uint32_t unused_[5] = {};  // glibc's __count .. __spins: never touched
  void* prev_ = nullptr;          // offset 24: the robust list, as pthread_mutex_t's __list
  void* next_ = nullptr;          // offset 32: the entry the kernel follows
  friend struct RobustLayout;
};

}  // namespace billiard
