// OwnerWord: the 32-bit lock word that FutexLock and RobustLock share, and
// the algorithm that takes and releases it. The layout is the kernel's
// robust-futex layout (Documentation/locking/robust-futex-ABI.rst), so the
// kernel can mark a RobustLock's word when its holder dies:
//   bits 0-29  owner: kernel thread id (gettid) of the holder, 0 when free
//   bit 30     RobustLock: kOwnerDied, set by the kernel when the holder died
//              holding it (only RobustLock registers words with the kernel).
//              FutexLock (Fairness::bounded): kHandoff, "a waiter has waited
//              past kStarveAfter"; FutexLock is on no robust list, so the
//              kernel never touches the bit there.
//   bit 31     kWaiters: someone may be asleep in FUTEX_WAIT on this word
// States:  0                       free
//          tid                     held by tid, nobody asleep: release is one exchange
//          tid | kWaiters          held by tid, sleepers possible: release wakes one
//          kOwnerDied [| kWaiters] RobustLock: free, its last holder died holding it
//          tid | kHandoff | kWaiters  FutexLock: held, a starving waiter asked for it
//          kHandoff | kWaiters     FutexLock: free but reserved for a starving waiter
// Acquire: CAS a free word (owner 0, and for FutexLock no kHandoff) to tid,
//   keeping kWaiters; spin on loads with Backoff; then set kWaiters and sleep
//   on the exact value seen. A waiter that slept takes the word as
//   tid | kWaiters: it cannot know whether it was the last sleeper. The
//   kernel's death handling keeps kWaiters and wakes one.
// Release: exchange the word to 0; if kWaiters was set, wake one sleeper; if
//   kHandoff was set, hand off (below). Uncontended: one CAS, one exchange.
// Fairness, RobustLock (Fairness::barging): none; a waiter can lose to
//   newcomers again and again.
// Fairness, FutexLock (Fairness::bounded; Go's starvation mode, WebKit's fair
//   hand-off, parking_lot's eventual fairness, with all state in this word):
//   barging while waits are short. A waiter that has waited kStarveAfter
//   (counted from its first slow-path look) is starving: it sets kHandoff on
//   the held word, watches the word awake for a bounded spin (Backoff), then
//   sleeps on the futex bitset kStarvingSleeper. The release that finds
//   kHandoff re-reserves the word it just freed (kHandoff | kWaiters: a
//   newcomer's CAS from 0 fails, and only a starving waiter takes a reserved
//   word) and wakes one starving sleeper, then yields the CPU (the wakee may
//   have been placed on it). The starving waiter takes the word as
//   tid | kWaiters: its hand-off is done; another starving waiter asks again.
//   If no starving sleeper was there to wake, the one that asked is awake
//   (watching, or on its way to sleep): the release spins while the word
//   stays reserved, and only when that spin runs out un-reserves it and wakes
//   any one sleeper, as a plain release would. A waiter that asked and sees
//   the word free but not reserved (the release between its exchange and its
//   reservation) waits for the reservation within its watch, rather than
//   take the word and have the release mark its own hold with kHandoff.
//   A newcomer that barged in between the exchange and the re-reservation
//   gets kHandoff on its word instead and hands off at its release. So a
//   starving waiter waits for the current holder, at most one barger, and
//   the starving waiters ahead of it (the kernel wakes the oldest first):
//   with one, no wait is longer than kStarveAfter plus one hand-off plus the
//   time the scheduler takes to run the wakee (tests/model/futex_lock.pml,
//   CHECK_FAIR). While the word is reserved, non-starving waiters sleep until
//   they have waited kStarveAfter themselves.
// Recheck: no sleep is longer than kRecheck; a sleeper re-reads the word at
//   least that often. A wake can be lost to a death: a sleeper woken and then
//   SIGKILLed before it takes the word (the release already cleared kWaiters,
//   so the next sleeper sleeps on a free word), an unlocker killed between its
//   exchange and its wake, a starving wakee killed with the word reserved for
//   it. Each is a delay of at most kRecheck for the remaining sleepers, never
//   a hang (tests/model/futex_lock.pml DIE_WAKEE, robust_lock.pml
//   DIE_ANYWHERE; measured in tests/locks/futex_lock_test.cpp). A waiter that
//   has not slept yet and finds the word reserved sleeps until it is starving
//   itself (kStarveAfter) and then may take it.
// SIGKILL at any instruction: a holder keeps the word (FutexLock: held for
//   good; RobustLock: the kernel frees it, kOwnerDied); a waiter, woken or not,
//   or an unlocker past its exchange costs the others at most kRecheck.
#pragma once

#include <atomic>
#include <chrono>
#include <cstdint>
#include <optional>

namespace billiard {

enum class Fairness {
  barging,  // RobustLock: bit 30 is the kernel's kOwnerDied
  bounded,  // FutexLock: bit 30 is kHandoff
};

class OwnerWord {
 public:
  static constexpr std::uint32_t kOwnerMask = 0x3fff'ffffu;
  static constexpr std::uint32_t kOwnerDied = 0x4000'0000u;  // RobustLock
  static constexpr std::uint32_t kHandoff = 0x4000'0000u;    // FutexLock: the same bit
  static constexpr std::uint32_t kWaiters = 0x8000'0000u;

  // The longest single sleep: the bound on a delay caused by a lost wake.
  // Picked by tools/stress --scenario owner-death (RobustLock's recovery p99)
  // and measured by tests/locks/futex_lock_test.cpp's killed-wakee test
  // (docs/reliability.md): change them together.
  static constexpr std::chrono::milliseconds kRecheck{20};
  // A FutexLock waiter waiting this long asks for a hand-off. Go's 1 ms, kept
  // by bench/wait_cases.cpp's waits/FutexLock/procs:2 and :4 (longest wait,
  // goal kStarveAfter plus one scheduler time slice, and throughput against
  // FutexLock_barging; docs/performance.md): the longest waits there are
  // scheduler ticks (4 ms), not this bound. Change them together.
  static constexpr std::chrono::microseconds kStarveAfter{1000};

  // Uncontended acquire: one CAS from 0.
  bool try_acquire_free(std::uint32_t self) noexcept {
    std::uint32_t seen = 0;
    return word_.compare_exchange_strong(seen, self,
                                         std::memory_order_acquire,   // pairs with release()'s exchange
                                         std::memory_order_relaxed);  // failure: nothing read is used
  }

  // Takes the word if its owner bits are 0 (free, or free after a death) and
  // it has none of the bits in `unless`. Returns the word it replaced, or
  // kHeld if it did not take it.
  std::uint32_t try_acquire(std::uint32_t self, std::uint32_t unless = 0) noexcept;

  // Spins, then sleeps until it takes the word or the deadline passes
  // (std::nullopt: no deadline). Returns the word it replaced (so the caller
  // sees kOwnerDied), or kHeld on time-out.
  std::uint32_t acquire_contended(std::uint32_t self,
                                  std::optional<std::chrono::steady_clock::time_point> deadline,
                                  Fairness fairness) noexcept;

  // Frees the word; wakes one sleeper if there may be one, or hands off.
  void release() noexcept {
    const std::uint32_t previous = word_.exchange(0, std::memory_order_release);  // publishes the critical section
    // After the release the word may be re-taken: a wake is only a hint, and
    // sleepers re-check the word. (Reusing the memory is another matter: a
    // lock with waiters is in use, and kWaiters or kHandoff says there are.)
    if (previous & (kWaiters | kHandoff)) [[unlikely]] release_contended(previous);
  }

  std::uint32_t owner() const noexcept {
    return word_.load(std::memory_order_relaxed) & kOwnerMask;  // relaxed: a report, orders nothing
  }
  std::uint32_t raw() const noexcept { return word_.load(std::memory_order_relaxed); }

  static constexpr std::uint32_t kHeld = kOwnerMask;  // the "did not acquire" result

 private:
  [[gnu::cold, gnu::noinline]] void release_contended(std::uint32_t previous) noexcept;

  std::atomic<std::uint32_t> word_{0};
};

static_assert(sizeof(OwnerWord) == sizeof(std::uint32_t));

}  // namespace billiard
