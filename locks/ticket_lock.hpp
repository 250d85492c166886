// TicketLock: FIFO, with abandonable tickets. All of it lives in the shared
// mapping (2176 bytes): counters and slots, no pointers, so it works wherever
// each process maps it.
//   next_     the ticket dispenser (its own cache line, with owner_)
//   owner_    the holder's tid, 0 when free (misuse checks and reports only)
//   serving_  the ticket that holds the lock; the futex word sleepers wait on
//             (its own cache line, with sleepers_)
//   sleepers_ how many ticket holders may be asleep on serving_
//   slots_    kSlots cache lines; ticket t is queued in slot t % kSlots:
//     word    0 free; a tid: that thread owns the slot (it is taking, waiting
//             on or about to hold ticket `ticket`); kGone (tid bits 0): the
//             waiter of `ticket` died or gave up. Bit 31, kCounted: the owner
//             is counted in sleepers_. The kernel's robust-futex layout, so
//             the kernel can mark a dead owner (locks/robust_list.hpp).
//     ticket  the ticket the slot was last claimed for
// States (arithmetic mod 2^32): serving_ == next_: free, nobody queued.
//   Otherwise ticket serving_ holds the lock or is the head of the queue, and
//   next_ - serving_ - 1 tickets wait behind it, each in its own slot.
// Transitions:
//   join: a locker that finds two or more tickets queued (a holder and a
//     waiter: its own would sleep) first yields the core, at most 8 times,
//     while the queue stays that long; only reads, and a bounded delay before
//     its place in line is fixed, as if it had called a little later. When
//     processes outnumber cores this keeps off-CPU processes out of the queue,
//     so fewer hand-offs wait for a sleeper's wake-up.
//   take a ticket: read n = next_; claim slot n % kSlots by CAS (a free slot,
//     or one marked gone whose ticket is stale or was never taken); with the
//     slot owned, check next_ == n still, write ticket = n, store next_ = n + 1.
//     Only the owner of slot next_ % kSlots can move next_, so the store
//     cannot lose a ticket. A slot still owned by ticket n - kSlots (more than
//     kSlots - 1 waiters) makes the taker wait for it: FIFO order holds among
//     the kSlots tickets in the queue, not among those waiting to join it.
//   wait: the next in line polls serving_ at every pause; anyone further back
//     (and a poller that gave up) sleeps: sleepers_++, mark kCounted, re-read
//     serving_, futex-wait on that value with its ticket's bitset bit (t mod
//     32), for at most kRecheck. Every time it stops waiting without its turn
//     it looks at the head's slot (below).
//   acquire: on serving_ == t, free the slot (word 0), then hold.
//   unlock: serving_++, then, if sleepers_ says anyone sleeps, wake the
//     sleepers whose bit is the new holder's ticket or the one after it (the
//     new next in line, so it polls by the time its turn comes). serving_++
//     then load sleepers_ is a store-then-load pair against the sleeper's
//     sleepers_++ then load serving_: all four are seq_cst, so at least one
//     side sees the other (no lost wake-up).
//   give up (a timed form at its deadline): mark the slot kGone.
//   skip: anyone waiting who finds the head ticket's slot kGone, with that
//     ticket taken (next_ != head), moves serving_ from the head to head + 1 by
//     CAS and wakes as unlock does; a dead sleeper's kCounted is taken off
//     sleepers_ by the skipper.
// Fairness: strict FIFO among live tickets, timed forms included: they take
//   a ticket and keep their place until their deadline. try_lock() takes one
//   only when the lock is free and nobody is queued. Order runs from the
//   taking of the ticket: a locker that yields before joining (above) can be
//   passed by lockers that join meanwhile, for at most its 8 yields. A waiter
//   further back than next in line sleeps: it never burns a core.
// Abandoned tickets: a dead or abandoned ticket is skipped within kRecheck
//   (2 ms) of reaching the head plus the time a waiter takes to be scheduled;
//   within about 5 us (the next in line's polling) when the next in line is
//   awake. No live waiter's ticket is ever skipped: only a dead waiter's
//   kernel (or a waiter that gave up, itself) marks a slot kGone. A ticket
//   taken and abandoned with nobody behind it is skipped by the next locker
//   (the lock is then briefly "held" by nobody).
// Death detector: the kernel's robust-futex list (its list_op_pending entry)
//   watches the slot word while its owner takes a ticket or waits: the kernel
//   marks it at the owner's death, before the tid can be reused. pidfd is per
//   process, not per thread, and kill(tid, 0) cannot tell a dead waiter from a
//   new thread that reuses its tid.
// Misuse: lock() and the timed forms by the holder throw EDEADLK; try_lock()
//   by the holder returns false; unlock() by a non-holder EPERM.
// Owner death: the holder freed its slot on acquiring, so its death is not
//   seen: the lock stays taken, by design (this lock is not robust); lock()
//   waits for ever and the timed forms return false by their deadline (their
//   tickets are skipped in turn). Use RobustLock.
// fork(): a child never owns what its parent held or queued for (its tid
//   differs); a parent thread queued during fork keeps its place. Tickets wrap
//   at 2^32: a waiter must not sleep through 4 billion hand-offs.
#pragma once

#include <atomic>
#include <chrono>
#include <cstdint>

#include "billiard/atomic/cache_line.hpp"
#include "billiard/locks/lock_errors.hpp"
#include "billiard/locks/thread_id.hpp"
#include "billiard/locks/timed_lockable.hpp"

struct robust_list_head;  // <linux/futex.h>

namespace billiard {

class TicketLock : public TimedLockable<TicketLock> {
 public:
  static constexpr const char* kName = "TicketLock";
  // Queue slots: up to kSlots tickets (the holder and kSlots - 1 waiters) are
  // served in strict FIFO order.
  static constexpr std::uint32_t kSlots = 32;

  TicketLock() noexcept = default;
  TicketLock(const TicketLock&) = delete;
  TicketLock& operator=(const TicketLock&) = delete;

  void lock();
  // false also when the caller holds the lock (POSIX error-checking trylock).
  bool try_lock();
  using TimedLockable::try_lock_until;
  bool try_lock_until(std::chrono::steady_clock::time_point deadline);
  void unlock();

  std::uint32_t owner() const noexcept { return owner_.load(std::memory_order_relaxed); }

 private:
  struct alignas(kCacheLine) Slot {
    std::atomic<std::uint32_t> word{0};
    std::atomic<std::uint32_t> ticket{0};
  };
  using Deadline = const std::chrono::steady_clock::time_point*;

  Slot& slot(std::uint32_t ticket) noexcept { return slots_[ticket % kSlots]; }
  void yield_to_queue(Deadline deadline) const noexcept;
  bool take_ticket(std::uint32_t self, robust_list_head& list, Deadline deadline, std::uint32_t& ticket);
  bool claim(std::uint32_t n, std::uint32_t self, robust_list_head& list);
  bool wait_for_turn(std::uint32_t ticket, Deadline deadline);
  void skip_gone_head();
  void wake_from(std::uint32_t new_head) noexcept;
  void acquired(std::uint32_t ticket, std::uint32_t self) noexcept;

  alignas(kCacheLine) std::atomic<std::uint32_t> next_{0};
  std::atomic<std::uint32_t> owner_{0};
  alignas(kCacheLine) std::atomic<std::uint32_t> serving_{0};
  std::atomic<std::uint32_t> sleepers_{0};
  Slot slots_[kSlots];
};

}  // namespace billiard
