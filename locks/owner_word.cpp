#include "billiard/locks/owner_word.hpp"

#include <algorithm>

#include "billiard/atomic/backoff.hpp"
#include "billiard/locks/futex.hpp"

namespace billiard {
namespace {

// futex bitsets: a hand-off wakes only sleepers that are starving; a plain
// release (and the kernel, for a dead RobustLock holder) wakes any.
constexpr std::uint32_t kOtherSleeper = 1u << 0;
constexpr std::uint32_t kStarvingSleeper = 1u << 1;

}  // namespace

std::uint32_t OwnerWord::try_acquire(std::uint32_t self, std::uint32_t unless) noexcept {
  std::uint32_t seen = word_.load(std::memory_order_relaxed);  // relaxed: the CAS below carries the acquire
  while ((seen & kOwnerMask) == 0 && (seen & unless) == 0) {
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
                                           Fairness fairness) noexcept {
  using Clock = std::chrono::steady_clock;
  const bool bounded = fairness == Fairness::bounded;
  // A free word with kHandoff is reserved for a starving waiter (FutexLock);
  // RobustLock's bit 30 is kOwnerDied, which marks a free word.
  const std::uint32_t reserved_bit = bounded ? kHandoff : 0;
  const Clock::time_point started = Clock::now();
  Backoff backoff;
  while (backoff.spin()) {
    // relaxed: we only watch; try_acquire's CAS carries the acquire.
    if ((word_.load(std::memory_order_relaxed) & kOwnerMask) == 0) {
      const std::uint32_t previous = try_acquire(self, reserved_bit);
      if (previous != kHeld) return previous;
    }
  }
  for (;;) {
    std::uint32_t seen = word_.load(std::memory_order_relaxed);  // relaxed: as above
    const Clock::time_point now = Clock::now();
    const bool starving = bounded && now - started >= kStarveAfter;
    if ((seen & kOwnerMask) == 0 && ((seen & reserved_bit) == 0 || starving)) {
      // We may have slept: others may still sleep, so take it with kWaiters.
      // A starving waiter taking a reserved word keeps kHandoff: others may
      // starve too, and our release looks for them.
      if (word_.compare_exchange_weak(seen, self | kWaiters | (seen & reserved_bit),
                                      std::memory_order_acquire,   // pairs with release()'s exchange
                                      std::memory_order_relaxed))  // failure: loop re-reads
        return seen;
      continue;
    }
    if (deadline && now >= *deadline) return kHeld;  // after a last look at the word
    if ((seen & kOwnerMask) != 0) {
      // Held: ask for a wake-up, and for a hand-off once starving.
      const std::uint32_t wanted = seen | kWaiters | (starving ? kHandoff : 0);
      // relaxed: the flags are all we publish, and release()'s exchange reads
      // them from the same word's modification order; if it came first, we fail here.
      if (wanted != seen &&
          !word_.compare_exchange_weak(seen, wanted, std::memory_order_relaxed, std::memory_order_relaxed))
        continue;
      seen = wanted;
    }  // else reserved for a starving waiter (always with kWaiters): sleep until we starve
    Clock::time_point wake_by = std::min(now + kRecheck, deadline.value_or(Clock::time_point::max()));
    if (bounded && !starving) wake_by = std::min(wake_by, started + kStarveAfter);
    const timespec ts = to_monotonic_timespec(wake_by);
    futex_wait(word_, seen, &ts, starving ? kStarvingSleeper : kOtherSleeper);
  }
}

void OwnerWord::release_contended(std::uint32_t previous) noexcept {
  if ((previous & kHandoff) == 0) {
    futex_wake(word_, 1);
    return;
  }
  // FutexLock, a starving waiter asked: reserve the word we freed for it.
  // relaxed: an RMW continues the release sequence of our exchange, so the
  // starving waiter's acquiring CAS still synchronizes with it.
  std::uint32_t seen = 0;
  while (!word_.compare_exchange_weak(
      seen, (seen & kOwnerMask) == 0 ? kHandoff | kWaiters : seen | kHandoff | kWaiters,
      std::memory_order_relaxed, std::memory_order_relaxed)) {
  }
  if ((seen & kOwnerMask) != 0) return;  // a newcomer barged in first: its release hands off
  if (futex_wake(word_, 1, kStarvingSleeper) == 1) return;
  // Nobody starving asleep (not asleep yet, gave up, or died): a plain release.
  std::uint32_t reserved = kHandoff | kWaiters;
  if (word_.compare_exchange_strong(reserved, 0, std::memory_order_relaxed,  // relaxed: as above
                                    std::memory_order_relaxed))
    futex_wake(word_, 1);
}

}  // namespace billiard
