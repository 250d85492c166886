#include "billiard/locks/event.hpp"

#include <climits>

#include "billiard/locks/futex.hpp"
#include "billiard/locks/wait_words.hpp"

namespace billiard {
namespace {

constexpr std::uint32_t kSetsMask = ~(EventState::kSet | EventState::kSleepers);

}  // namespace

void EventState::set() noexcept {
  std::uint32_t seen = word_.load(std::memory_order_relaxed);  // relaxed: the CAS re-reads on failure
  do {
    if (seen & kSet) return;  // already set: nobody can be asleep waiting for it
  } while (!word_.compare_exchange_weak(seen, ((seen + kOneSet) & kSetsMask) | kSet,
                                        std::memory_order_release,   // pairs with wait()/is_set(): publishes our writes
                                        std::memory_order_relaxed));  // failure: only re-read
  if (seen & kSleepers) futex_wake(word_, INT_MAX);
}

bool EventState::wait(const timespec* deadline) noexcept {
  const std::uint32_t start = word_.load(std::memory_order_acquire);  // pairs with set()
  if (start & kSet) return true;
  const auto released = [start](std::uint32_t word) {
    return (word & kSet) || ((word ^ start) & kSetsMask) != 0;
  };
  std::uint32_t seen = start;
  for (;;) {
    if (!(seen & kSleepers)) {
      // acquire (on both outcomes, for a failure may read set()'s word) pairs
      // with set(); kSleepers itself needs no order: set()'s CAS reads it from
      // this word's modification order, and if set() came first we fail here.
      if (!word_.compare_exchange_weak(seen, seen | kSleepers, std::memory_order_acquire,
                                       std::memory_order_acquire)) {
        if (released(seen)) return true;
        continue;
      }
      seen |= kSleepers;
    }
    const WaitResult r = detail::sleep_rechecking(word_, seen, deadline);
    seen = word_.load(std::memory_order_acquire);  // pairs with set()
    if (released(seen)) return true;
    if (r == WaitResult::timed_out) return false;
  }
}

}  // namespace billiard
