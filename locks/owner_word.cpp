#include "billiard/locks/owner_word.hpp"

#include <sched.h>

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
  // A starving waiter watches the word this long (awake) before each sleep:
  // the hand-off it asked for usually comes at the holder's next release, and
  // a release that finds no starving sleeper keeps the word reserved only
  // briefly (release_contended). Without the watch, the holder's release came
  // while the waiter was still entering futex_wait, found no starving
  // sleeper, un-reserved the word and re-locked: the waiter asked again and
  // again, and each of those releases cost two futex_wake calls.
  Backoff watch;
  bool asked = false;  // we have set (or found) kHandoff on a holder's word
  for (;;) {
    std::uint32_t seen = word_.load(std::memory_order_relaxed);  // relaxed: as above
    const Clock::time_point now = Clock::now();
    const bool starving = bounded && now - started >= kStarveAfter;
    // Free but not reserved, after we asked: most likely the release is
    // between its exchange and its reservation. Taking the word now would
    // make that release mark our own hold with kHandoff, a hand-off nobody
    // asked for (a reservation and a futex_wake at our release). Watch for
    // the reservation instead; once the watch runs out, take the word.
    if ((seen & kOwnerMask) == 0 && (seen & reserved_bit) == 0 && asked && watch.spin()) continue;
    if ((seen & kOwnerMask) == 0 && ((seen & reserved_bit) == 0 || starving)) {
      // We may have slept: others may still sleep, so take it with kWaiters.
      // A starving waiter taking a reserved word drops kHandoff: the hand-off
      // it asked for is done (Go's mutex leaves starvation mode the same way);
      // another starving waiter asks again on our hold.
      if (word_.compare_exchange_weak(seen, self | kWaiters,
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
      asked = starving;
    }  // else reserved for a starving waiter (always with kWaiters): sleep until we starve
    if (starving && watch.spin()) continue;
    Clock::time_point wake_by = std::min(now + kRecheck, deadline.value_or(Clock::time_point::max()));
    if (bounded && !starving) wake_by = std::min(wake_by, started + kStarveAfter);
    const timespec ts = to_monotonic_timespec(wake_by);
    futex_wait(word_, seen, &ts, starving ? kStarvingSleeper : kOtherSleeper);
    watch = Backoff{};
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
  if (futex_wake(word_, 1, kStarvingSleeper) == 1) {
    // The word waits, reserved, until the wakee runs. A futex wake often
    // places the wakee on the waker's CPU (wake-affine), where it would wait
    // for our time slice to end (EEVDF enforces slices at the tick: 4 ms at
    // HZ=250). Yield it the CPU, as Go's unlock does in starvation mode
    // (runtime_Semrelease with handoff): one syscall per hand-off.
    sched_yield();
    return;
  }
  // Nobody starving asleep: the waiter that asked is most likely awake,
  // watching the word (acquire_contended) or on its way into futex_wait.
  // Give it the watch's time to take the reserved word.
  for (Backoff backoff; backoff.spin();) {
    // relaxed: we touch nothing the lock guards; only a starving waiter
    // changes a reserved word, and its CAS carries its own acquire.
    if (word_.load(std::memory_order_relaxed) != (kHandoff | kWaiters)) return;
  }
  // It did not come (preempted, gave up, or died): a plain release.
  std::uint32_t reserved = kHandoff | kWaiters;
  if (word_.compare_exchange_strong(reserved, 0, std::memory_order_relaxed,  // relaxed: as above
                                    std::memory_order_relaxed))
    futex_wake(word_, 1);
}

}  // namespace billiard
