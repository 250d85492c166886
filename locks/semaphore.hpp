// SemaphoreState: the shared part of Semaphore and BoundedSemaphore
// (lib/semaphore.hpp), Python's threading semaphores across processes.
// Words:
//   count_     permits available now (0 .. bound_); the futex word
//   sleepers_  acquirers that may be asleep (or about to sleep) on count_
//   bound_     the most count_ may hold: the initial value for a
//              BoundedSemaphore, kMaxPermits otherwise; never changes
// Transitions: acquire CASes count_ from c > 0 to c - 1; when count_ is 0 it
//   counts itself in sleepers_, re-reads count_ and sleeps while it is 0.
//   release(k) CASes count_ from c to c + k (EOVERFLOW, and no change, above
//   bound_), then wakes k sleepers if sleepers_ != 0.
// No lost wake-up: release's RMW on count_ then its load of sleepers_, and
//   an acquirer's RMW on sleepers_ then its load of count_, are all seq_cst
//   (the store-then-load pair): one of the two loads sees the other's RMW,
//   so either the acquirer does not sleep or release wakes it.
// Nobody asleep: release is one CAS and one load, no system call.
// Fairness: none (barging): a woken acquirer can lose the permit to a
//   newcomer and sleep again; no permit is ever lost that way.
// Process death: a holder killed with a permit never gives it back: the
//   permit is lost, as with a thread that never releases (a Semaphore does not
//   know its holders). An acquirer killed asleep leaves the futex queue (no
//   wake is spent on it) and sleepers_ one too high (later releases make a
//   futex_wake that may find nobody). A releaser killed between its CAS and
//   its wake: sleepers see the permits within kWakerDeathRecheck.
#pragma once

#include <time.h>

#include <atomic>
#include <cstdint>

namespace billiard {

class SemaphoreState {
 public:
  static constexpr std::uint32_t kMaxPermits = 0x7fff'ffffu;

  // bounded: release above `initial` is an error. initial <= kMaxPermits (the handle checks).
  SemaphoreState(std::uint32_t initial, bool bounded) noexcept
      : count_(initial), bound_(bounded ? initial : kMaxPermits) {}
  SemaphoreState(const SemaphoreState&) = delete;
  SemaphoreState& operator=(const SemaphoreState&) = delete;

  bool try_acquire() noexcept {
    std::uint32_t seen = count_.load(std::memory_order_relaxed);  // relaxed: the CAS decides
    while (seen > 0)
      if (count_.compare_exchange_weak(seen, seen - 1,
                                       std::memory_order_acquire,   // pairs with release(): its writes are ours
                                       std::memory_order_relaxed))  // failure: only re-read
        return true;
    return false;
  }
  // Sleeps until it takes a permit (true) or the deadline passes (false);
  // deadline: absolute CLOCK_MONOTONIC, nullptr for none.
  bool acquire(const timespec* deadline) noexcept {
    return try_acquire() || acquire_contended(deadline);
  }
  // Adds k >= 1 permits; std::system_error EOVERFLOW (nothing changes) past
  // the bound; `kind` names the handle in the message.
  void release(std::uint32_t k, const char* kind);

  std::uint32_t value() const noexcept {
    return count_.load(std::memory_order_relaxed);  // relaxed: a snapshot
  }
  std::uint32_t bound() const noexcept { return bound_; }

 private:
  [[gnu::cold, gnu::noinline]] bool acquire_contended(const timespec* deadline) noexcept;

  std::atomic<std::uint32_t> count_;
  std::atomic<std::uint32_t> sleepers_{0};
  const std::uint32_t bound_;
};

}  // namespace billiard
