// TicketLock: FIFO. Three 32-bit words in the shared mapping:
//   next_     the ticket dispenser: lock() takes next_++
//   serving_  the ticket that holds the lock; the futex word sleepers wait on
//   sleepers_ how many ticket holders may be asleep on serving_
//   owner_    the holder's tid, 0 when free (misuse checks and reports only)
// States: serving_ == next_: free, nobody queued. serving_ != next_: held by
//   ticket serving_, next_ - serving_ - 1 queued (all arithmetic mod 2^32).
// Transitions: lock takes a ticket; the next in line polls serving_ at every
//   pause, anyone further back (and a poller that gave up) sleeps: sleepers_++,
//   re-read serving_, futex-wait on that value with the bitset bit of its
//   ticket (t mod 32). unlock bumps serving_, then, if sleepers_ says anyone
//   sleeps, wakes the sleepers whose bit matches the new holder's ticket or the
//   one after it (the new next in line, so it polls by the time its turn comes). Those two are a store-then-load
//   pair against the sleeper's sleepers_++-then-load of serving_: all four are
//   seq_cst, so at least one side sees the other (no lost wake-up).
// Fairness: strict FIFO for lock(). Spinning alone collapses when processes
//   outnumber cores (the next ticket holder is descheduled, and every hand-off
//   waits for the scheduler); sleeping on the futex is what keeps this lock
//   fast there. try_lock() and the timed forms take no ticket: they succeed
//   only when nobody is queued (a queued ticket cannot be abandoned at a
//   deadline), so they can starve behind a steady queue.
// Misuse: lock() by the holder throws EDEADLK; unlock() by a non-holder EPERM.
// Owner death: not detected; the queue stops behind a dead holder, and only
//   the timed forms return. Use RobustLock. fork(): as FutexLock.
#pragma once

#include <atomic>
#include <chrono>
#include <cstdint>

#include "billiard/locks/lock_errors.hpp"
#include "billiard/locks/thread_id.hpp"
#include "billiard/locks/timed_lockable.hpp"

namespace billiard {

class TicketLock : public TimedLockable<TicketLock> {
 public:
  static constexpr const char* kName = "TicketLock";

  TicketLock() noexcept = default;
  TicketLock(const TicketLock&) = delete;
  TicketLock& operator=(const TicketLock&) = delete;

  void lock() {
    const std::uint32_t self = current_tid();
    if (owner_.load(std::memory_order_relaxed) == self)  // relaxed: only we store our own tid
      detail::throw_relock("TicketLock::lock", self);
    // relaxed: the ticket orders nothing; the acquire is on serving_ below.
    const std::uint32_t ticket = next_.fetch_add(1, std::memory_order_relaxed);
    if (serving_.load(std::memory_order_acquire) != ticket)  // pairs with unlock()'s fetch_add
      [[unlikely]] wait_for_turn(ticket);
    owner_.store(self, std::memory_order_relaxed);  // relaxed: read only by misuse checks
  }

  bool try_lock();
  using TimedLockable::try_lock_until;
  bool try_lock_until(std::chrono::steady_clock::time_point deadline);
  void unlock();

  std::uint32_t owner() const noexcept { return owner_.load(std::memory_order_relaxed); }

 private:
  [[gnu::cold, gnu::noinline]] void wait_for_turn(std::uint32_t ticket);

  std::atomic<std::uint32_t> next_{0};
  std::atomic<std::uint32_t> serving_{0};
  std::atomic<std::uint32_t> sleepers_{0};
  std::atomic<std::uint32_t> owner_{0};
};

}  // namespace billiard
