#include "billiard/locks/futex_lock.hpp"

namespace billiard {

void FutexLock::lock_contended(std::uint32_t self) {
  if (word_.owner() == self) detail::throw_relock("FutexLock::lock", self);
  word_.acquire_contended(self, std::nullopt, Fairness::bounded);
}

bool FutexLock::try_lock_until(std::chrono::steady_clock::time_point deadline) {
  const std::uint32_t self = current_tid();
  if (word_.try_acquire_free(self)) return true;
  if (word_.owner() == self) detail::throw_relock("FutexLock::try_lock_until", self);
  return word_.acquire_contended(self, deadline, Fairness::bounded) != OwnerWord::kHeld;
}

}  // namespace billiard
