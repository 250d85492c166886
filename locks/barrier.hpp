// BarrierState: the shared part of Barrier (lib/barrier.hpp), Python's
// threading.Barrier across processes.
// Words:
//   lock_      a RobustLock over the fields below (short sections, no sleeping)
//   state_     the futex word: round << 1 | kBroken; round counts rounds ended
//   count_     arrivals in the current round
//   outcomes_  bit r % 32: round r ended broken (reset or abort), 0: released
//   sleepers_  waiters that may be asleep on state_
//   parties_   fixed at construction
// Transitions: wait() takes lock_; kBroken: throw broken_barrier. Else its
//   index is count_++; the last party (index parties-1) ends the round:
//   outcome bit 0, count_ 0, state_ to the next round, wake all. The others
//   sleep until state_ changes, then read under lock_ how their round ended.
//   A time-out (the waiter's round still running) or abort() sets kBroken and
//   the round's outcome bit and wakes all: every waiter of the round, and
//   every later one until reset(), throws broken_barrier (the timed-out
//   waiter too). reset() ends the round broken (its waiters throw) and opens
//   a fresh one.
// No lost wake-up: every change of state_ is under lock_ and is followed by a
//   seq_cst load of sleepers_; a sleeper increments sleepers_ (seq_cst) and
//   then re-reads state_ (seq_cst) before sleeping on the value it saw.
// Limit: a waiter that sleeps through 32 later rounds (possible only with more
//   threads than parties, or 32 resets meanwhile) cannot tell how its round
//   ended and throws broken_barrier.
// Fairness: none needed; a round releases all its parties at once.
// Process death: a party killed while waiting stays counted as arrived, so
//   its round still completes (its index is simply not returned). A party that
//   dies before arriving leaves the others waiting until a time-out or
//   abort() breaks the barrier. A process killed inside lock_'s short section
//   is reported by the RobustLock to the next one in: it marks the barrier
//   broken (a half-done arrival cannot be trusted) and everyone gets
//   broken_barrier until reset().
#pragma once

#include <time.h>

#include <atomic>
#include <cstddef>
#include <cstdint>
#include <stdexcept>

#include "billiard/locks/robust_lock.hpp"

namespace billiard {

// Thrown by Barrier::wait and wait_for when the barrier is broken (a time-out,
// abort(), reset() of the round, or a process killed inside it).
class broken_barrier : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

class BarrierState {
 public:
  explicit BarrierState(std::uint32_t parties) noexcept : parties_(parties) {}
  BarrierState(const BarrierState&) = delete;
  BarrierState& operator=(const BarrierState&) = delete;

  // This arrival's index, 0 .. parties-1; deadline: absolute
  // CLOCK_MONOTONIC, nullptr for none. Throws broken_barrier.
  std::size_t wait(const timespec* deadline);
  void reset();
  void abort();

  std::size_t parties() const noexcept { return parties_; }
  std::size_t n_waiting();
  bool broken() const noexcept {
    return (state_.load(std::memory_order_relaxed) & kBroken) != 0;  // relaxed: a snapshot
  }

 private:
  static constexpr std::uint32_t kBroken = 1u;
  class Section;

  void end_round(std::uint32_t state, bool broken) noexcept;  // under lock_
  void break_round() noexcept;                                 // under lock_
  void wake_all() noexcept;
  // Under lock_: how the round `round` ended, given state_ shows a later one or kBroken.
  bool released(std::uint32_t round) const noexcept;

  RobustLock lock_;
  std::atomic<std::uint32_t> state_{0};
  std::atomic<std::uint32_t> sleepers_{0};
  std::uint32_t count_ = 0;
  std::uint32_t outcomes_ = 0;
  const std::uint32_t parties_;
};

}  // namespace billiard
