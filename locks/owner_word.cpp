#include "billiard/locks/owner_word.hpp"

#include <algorithm>

#include "billiard/atomic/backoff.hpp"
#include "billiard/locks/futex.hpp"

namespace billiard {

std::uint32_t OwnerWord::try_acquire(std::uint32_t self) noexcept {
  std::uint32_t seen = word_.load(std::memory_order_relaxed);  // relaxed: the CAS below carries the acquire
  while ((seen & kOwnerMask) == 0) {
    // Keep kWaiters (others may sleep); drop kOwnerDied (we are the new owner).
    if (word_.compare_exchange_weak(seen, self | (seen & kWaiters),
                                    std::memory_order_acquire,   // pairs with release()'s exchange
                                    std::memory_order_relaxed))  // failure: only re-read the word
      return seen;
  }
  return kHeld;
}

std::uint32_t OwnerWord::acquire_contended(std::uint32_t self,
                                           std::optional<std::chrono::steady_clock::time_point> deadline,
                                           std::chrono::nanoseconds recheck) noexcept {
  using Clock = std::chrono::steady_clock;
  Backoff backoff;
  while (backoff.spin()) {
    // relaxed: we only watch; try_acquire's CAS carries the acquire.
    if ((word_.load(std::memory_order_relaxed) & kOwnerMask) == 0) {
      const std::uint32_t previous = try_acquire(self);
      if (previous != kHeld) return previous;
    }
  }
  for (;;) {
    std::uint32_t seen = word_.load(std::memory_order_relaxed);  // relaxed: as above
    if ((seen & kOwnerMask) == 0) {
      // We may have slept: others may still sleep, so take it with kWaiters.
      if (word_.compare_exchange_weak(seen, self | kWaiters,
                                      std::memory_order_acquire,   // pairs with release()'s exchange
                                      std::memory_order_relaxed))  // failure: loop re-reads
        return seen;
      continue;
    }
    if ((seen & kWaiters) == 0) {
      // relaxed: the flag is all we publish, and release()'s exchange reads it
      // from the same word's modification order; if it came first, we fail here.
      if (!word_.compare_exchange_weak(seen, seen | kWaiters, std::memory_order_relaxed,
                                       std::memory_order_relaxed))
        continue;
      seen |= kWaiters;
    }
    std::optional<Clock::time_point> wake_by = deadline;
    if (recheck != recheck.zero()) wake_by = std::min(deadline.value_or(Clock::time_point::max()), Clock::now() + recheck);
    const timespec ts = wake_by ? to_monotonic_timespec(*wake_by) : timespec{};
    if (futex_wait(word_, seen, wake_by ? &ts : nullptr) == WaitResult::timed_out && deadline &&
        Clock::now() >= *deadline)
      return kHeld;
  }
}

void OwnerWord::wake_one() noexcept { futex_wake(word_, 1); }

}  // namespace billiard
