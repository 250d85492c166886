#include "billiard/locks/seq_lock.hpp"

#include "billiard/atomic/backoff.hpp"

namespace billiard {

void SeqLock::unlock() {
  const std::uint32_t self = current_tid();
  if (writer_.owner() != self) detail::throw_not_owner("SeqLock::unlock", self, writer_.owner());
  // release: the data stores happen before a reader's acquire load of this even value.
  seq_.store(seq_.load(std::memory_order_relaxed) + 1, std::memory_order_release);
  writer_.unlock();
}

std::uint32_t SeqLock::wait_for_writer() const noexcept {
  Backoff backoff;
  for (;;) {
    const std::uint32_t s = seq_.load(std::memory_order_acquire);  // pairs with unlock()'s release
    if ((s & 1) == 0) return s;
    backoff.snooze();  // a writer is inside
  }
}

}  // namespace billiard
