#include "billiard/locks/ticket_lock.hpp"

#include <climits>

#include "billiard/atomic/backoff.hpp"
#include "billiard/locks/futex.hpp"

namespace billiard {
namespace {

std::uint32_t ticket_bit(std::uint32_t ticket) noexcept { return 1u << (ticket % 32); }

// How long the next in line polls before it sleeps: as long as Backoff spins
// in all (511 pauses). Picked by bench/lock_bench.cpp (contended counter,
// TicketLock rows): change both together.
constexpr std::uint32_t kNextInLinePolls = (2u << Backoff::kMaxRound) - 1;

}  // namespace

void TicketLock::wait_for_turn(std::uint32_t ticket) {
  for (;;) {
    // The next in line polls serving_ at every pause, so it takes the lock the
    // moment it is handed over; anyone further back sleeps at once.
    for (std::uint32_t polls = 0; polls < kNextInLinePolls; ++polls) {
      const std::uint32_t serving = serving_.load(std::memory_order_acquire);  // pairs with unlock()
      if (serving == ticket) return;
      if (ticket - serving > 1) break;
      cpu_relax();
    }
    sleepers_.fetch_add(1, std::memory_order_seq_cst);  // then load serving_: see unlock()
    const std::uint32_t serving = serving_.load(std::memory_order_seq_cst);
    if (serving != ticket) futex_wait(serving_, serving, nullptr, ticket_bit(ticket));
    sleepers_.fetch_sub(1, std::memory_order_relaxed);  // relaxed: a late decrement costs only a wake
    if (serving_.load(std::memory_order_acquire) == ticket) return;  // pairs with unlock()
  }
}

bool TicketLock::try_lock() {
  const std::uint32_t self = current_tid();
  if (owner_.load(std::memory_order_relaxed) == self) detail::throw_relock("TicketLock::try_lock", self);
  // Free with nobody queued means next_ == serving_: take ticket `serving` only then.
  std::uint32_t serving = serving_.load(std::memory_order_acquire);  // pairs with unlock()
  if (!next_.compare_exchange_strong(serving, serving + 1,
                                     std::memory_order_acquire,   // pairs with unlock()
                                     std::memory_order_relaxed))  // failure: we touch nothing
    return false;
  owner_.store(self, std::memory_order_relaxed);
  return true;
}

bool TicketLock::try_lock_until(std::chrono::steady_clock::time_point deadline) {
  const timespec ts = to_monotonic_timespec(deadline);
  for (;;) {
    if (try_lock()) return true;
    if (std::chrono::steady_clock::now() >= deadline) return false;
    // Sleep until serving_ moves (every unlock wakes a kAnySleeper waiter that
    // sleepers_ counts) or the deadline passes.
    sleepers_.fetch_add(1, std::memory_order_seq_cst);
    const std::uint32_t serving = serving_.load(std::memory_order_seq_cst);
    const bool free = next_.load(std::memory_order_relaxed) == serving;  // relaxed: a hint; try_lock decides
    const WaitResult r = free ? WaitResult::value_changed : futex_wait(serving_, serving, &ts);
    sleepers_.fetch_sub(1, std::memory_order_relaxed);
    if (r == WaitResult::timed_out) return try_lock();
  }
}

void TicketLock::unlock() {
  const std::uint32_t self = current_tid();
  const std::uint32_t owner = owner_.load(std::memory_order_relaxed);
  if (owner != self) [[unlikely]] detail::throw_not_owner("TicketLock::unlock", self, owner);
  owner_.store(0, std::memory_order_relaxed);
  // seq_cst: releases the critical section, and is the store of the
  // store-then-load pair with sleepers_ below (see the header).
  const std::uint32_t next_ticket = serving_.fetch_add(1, std::memory_order_seq_cst) + 1;
  // Wake the new holder, and the new next in line so that it is polling by
  // the time its turn comes (a wake-up takes longer than most sections).
  if (sleepers_.load(std::memory_order_seq_cst) != 0)
    futex_wake(serving_, INT_MAX, ticket_bit(next_ticket) | ticket_bit(next_ticket + 1));
}

}  // namespace billiard
