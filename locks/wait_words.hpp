// WaitWords: two 32-bit words that let processes sleep until "something
// changed" and be woken without a system call when nobody sleeps. RawValue<T>
// keeps them beside its value (lib/raw_value.hpp, RawValueLayout).
//   sleepers_  waiters that may be asleep (or about to sleep) right now
//   epoch_     the futex word waiters sleep on; notify bumps it when sleepers_ != 0
// A RawValue<T> of any size sleeps on epoch_, never on its own bytes: one
// protocol for 1, 2, 4, 8, 16 and 40-byte values. The bump costs one RMW on
// a line the notifier just wrote, and only when someone sleeps.
// Protocol (no lost wake-up): a waiter reads epoch_ (enter), increments
//   sleepers_, re-checks its condition, then sleeps on the epoch it read. A
//   notifier, after the store that makes the condition true, does an acq_rel
//   RMW on sleepers_; if it sees a sleeper it bumps epoch_ and wakes. Either
//   the notifier's RMW comes first in sleepers_'s order, then the waiter's
//   acquire RMW reads from it, the store happens before the waiter's re-check
//   and the waiter does not sleep; or the waiter's comes first, the notifier
//   sees a sleeper and bumps epoch_, so a waiter not yet in the kernel finds
//   epoch_ changed and one in the kernel is woken. tests/model/condition.pml
//   checks the same epoch protocol (Condition's, whose counts the lock guards).
// Nobody asleep: notify is one RMW on sleepers_ and no system call.
// Fairness: the kernel's queue on epoch_ (FIFO in practice, not promised).
// Process death: a waiter killed asleep leaves the kernel's queue (no wake is
//   ever spent on it) but leaves sleepers_ one too high: every later notify
//   then bumps epoch_ and makes a futex_wake that may find nobody. Slower,
//   never a lost wake-up. A notifier killed between its store and its wake:
//   no sleep is longer than kWakerDeathRecheck (sleep_rechecking below), so
//   its waiters see the change within that period anyway.
#pragma once

#include <atomic>
#include <chrono>
#include <climits>
#include <cstdint>

#include "billiard/locks/futex.hpp"

namespace billiard::detail {

// The longest single sleep of every waiting primitive (RawValue::wait,
// Condition, Event, Semaphore, Barrier): a waker killed between its change and
// its futex_wake delays its sleepers by at most this, instead of forever.
// An idle sleeper costs one wake-up per period (a few microseconds of CPU).
inline constexpr std::chrono::milliseconds kWakerDeathRecheck{100};

// futex_wait(word, expected) until woken, the deadline (absolute
// CLOCK_MONOTONIC, nullptr for none) or kWakerDeathRecheck from now, whichever
// comes first. timed_out only when the deadline passed; the recheck period's
// end reads as a spurious wake-up (woken): the caller re-reads its word.
WaitResult sleep_rechecking(const std::atomic<std::uint32_t>& word, std::uint32_t expected,
                            const timespec* deadline) noexcept;

class WaitWords {
 public:
  // Counts the caller as a sleeper; returns the epoch to sleep on. The
  // caller re-checks its condition after this, sleeps, then leave()s.
  std::uint32_t enter() noexcept {
    const std::uint32_t epoch = epoch_.load(std::memory_order_acquire);  // pairs with notify()'s bump
    sleepers_.fetch_add(1, std::memory_order_acq_rel);  // pairs with notify()'s RMW: see the header
    return epoch;
  }
  // Sleeps while epoch_ == epoch, until woken or the deadline (absolute
  // CLOCK_MONOTONIC; nullptr for none). Returns early on a spurious wake-up.
  WaitResult sleep(std::uint32_t epoch, const timespec* deadline) const noexcept {
    return sleep_rechecking(epoch_, epoch, deadline);
  }
  bool moved(std::uint32_t epoch) const noexcept {
    return epoch_.load(std::memory_order_acquire) != epoch;  // pairs with notify()'s bump
  }
  void leave() noexcept {
    sleepers_.fetch_sub(1, std::memory_order_relaxed);  // relaxed: a late decrement costs only a wake
  }

  // Sleeps until changed() is true (then true) or the deadline passes with
  // changed() still false (then false). The caller has checked changed() once.
  template <class Changed>
  bool wait_until(Changed changed, const timespec* deadline) {
    for (;;) {
      const std::uint32_t epoch = enter();
      const bool done = changed();
      const WaitResult r = done ? WaitResult::value_changed : sleep(epoch, deadline);
      leave();
      if (done || changed()) return true;
      if (r == WaitResult::timed_out) return false;
    }
  }

  // Wakes up to how_many sleepers; no system call when nobody sleeps.
  void notify(int how_many) noexcept {
    // An acq_rel RMW, not a load: the other half of enter()'s increment (see
    // the header); a load could miss a sleeper that the RMW order guarantees.
    if (sleepers_.fetch_add(0, std::memory_order_acq_rel) == 0) return;
    epoch_.fetch_add(1, std::memory_order_release);  // a waiter that read the old epoch will not sleep
    futex_wake(epoch_, how_many);
  }
  void notify_all() noexcept { notify(INT_MAX); }

 private:
  std::atomic<std::uint32_t> sleepers_{0};
  std::atomic<std::uint32_t> epoch_{0};
};

static_assert(sizeof(WaitWords) == 2 * sizeof(std::uint32_t));

}  // namespace billiard::detail
