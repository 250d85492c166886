// EventState: the shared part of Event (lib/event.hpp), Python's
// threading.Event across processes. One 32-bit word, the futex word:
//   bit 0      kSet: the flag
//   bits 1-30  sets: how many times the flag went from clear to set (wraps)
//   bit 31     kSleepers: someone may be asleep on the word
// States: sets|0 clear; sets|kSet set; either | kSleepers with sleepers.
// Transitions: set() turns a clear word into (sets+1)|kSet in one CAS,
//   dropping kSleepers, and wakes every sleeper if kSleepers was there.
//   clear() drops kSet (keeps sets and kSleepers). wait() returns at once if
//   kSet; else it sets kSleepers (CAS) and sleeps on the exact word it saw,
//   and returns true once the word shows kSet or a later `sets`: a waiter
//   woken by a set() returns true even if clear() came right after, as in
//   Python (a set-then-clear "pulse" wakes every waiter).
// No lost wake-up: a waiter sleeps only on a word that carries kSleepers and
//   no kSet; set()'s CAS must replace exactly that word (then it wakes) or
//   an earlier one (then the waiter's CAS or futex_wait fails on the change).
// Nobody asleep: set() is one CAS, no system call; clear() one RMW.
// Fairness: none needed: set() wakes everyone.
// Process death: a waiter killed asleep leaves the futex queue; the stale
//   kSleepers costs the next set() one futex_wake. A setter killed between its
//   CAS and its wake: the waiters see kSet within kWakerDeathRecheck.
#pragma once

#include <time.h>

#include <atomic>
#include <cstdint>

namespace billiard {

class EventState {
 public:
  static constexpr std::uint32_t kSet = 1u;
  static constexpr std::uint32_t kSleepers = 0x8000'0000u;
  static constexpr std::uint32_t kOneSet = 2u;  // the `sets` field's unit

  EventState() noexcept = default;
  EventState(const EventState&) = delete;
  EventState& operator=(const EventState&) = delete;

  void set() noexcept;
  void clear() noexcept {
    word_.fetch_and(~kSet, std::memory_order_seq_cst);
  }
  bool is_set() const noexcept {
    return (word_.load(std::memory_order_acquire) & kSet) != 0;  // pairs with set(): what the setter wrote is visible
  }
  // true once set (or set since the call began); false at the deadline
  // (absolute CLOCK_MONOTONIC; nullptr: none).
  bool wait(const timespec* deadline) noexcept;

 private:
  std::atomic<std::uint32_t> word_{0};
};

}  // namespace billiard
