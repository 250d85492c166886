#include "billiard/locks/spin_lock.hpp"

#include "billiard/atomic/backoff.hpp"

namespace billiard {

void SpinLock::lock_contended(std::uint32_t self) {
  if (owner() == self) detail::throw_relock("SpinLock::lock", self);
  Backoff backoff;
  do {
    while (owner() != 0) backoff.snooze();  // loads only while held
  } while (!try_acquire(self));
}

bool SpinLock::try_lock_until(std::chrono::steady_clock::time_point deadline) {
  const std::uint32_t self = current_tid();
  if (try_acquire(self)) return true;
  if (owner() == self) detail::throw_relock("SpinLock::try_lock_until", self);
  Backoff backoff;
  do {
    while (owner() != 0) {
      if (std::chrono::steady_clock::now() >= deadline) return false;
      backoff.snooze();
    }
  } while (!try_acquire(self));
  return true;
}

}  // namespace billiard
