#include "billiard/locks/ticket_lock.hpp"

#include <linux/futex.h>

#include <algorithm>
#include <climits>

#include <sched.h>

#include "billiard/atomic/backoff.hpp"
#include "billiard/locks/futex.hpp"
#include "billiard/locks/robust_list.hpp"

namespace billiard {
namespace {

// A slot word's bits: the kernel's robust-futex layout (locks/robust_list.hpp).
constexpr std::uint32_t kTidMask = FUTEX_TID_MASK;
constexpr std::uint32_t kGone = FUTEX_OWNER_DIED;  // the kernel's mark, and a waiter's who gave up
constexpr std::uint32_t kCounted = FUTEX_WAITERS;  // kept by the kernel's mark: "was counted asleep"
static_assert(kTidMask == 0x3fff'ffffu && kGone == 0x4000'0000u && kCounted == 0x8000'0000u);

static_assert(sizeof(TicketLock) == 2176, "the size locks/ticket_lock.hpp and docs/locks.md state");

bool gone(std::uint32_t word) noexcept { return (word & kTidMask) == 0 && (word & kGone) != 0; }
bool owned(std::uint32_t word) noexcept { return (word & kTidMask) != 0; }
// t came before s (t was served or skipped once serving_ reached s).
bool before(std::uint32_t t, std::uint32_t s) noexcept { return static_cast<std::int32_t>(s - t) > 0; }

std::uint32_t ticket_bit(std::uint32_t ticket) noexcept { return 1u << (ticket % 32); }

// How long the next in line polls before it sleeps: as long as Backoff spins
// in all (511 pauses). Picked by bench/lock_bench.cpp (contended counter,
// TicketLock rows): change both together.
constexpr std::uint32_t kNextInLinePolls = (2u << Backoff::kMaxRound) - 1;

// A locker that finds at least kJoinQueued tickets queued (the holder's and
// a waiter's: a new ticket would sleep, and need a futex wake-up when its turn
// comes) yields the core up to kJoinYields times before it takes one. When
// processes outnumber cores this lets those already queued run their turns
// instead of queuing behind sleepers: strict FIFO makes every acquisition a
// hand-off to another process, and a hand-off to a sleeper waits for its
// wake-up (about 11 us on the 2-core VM). Picked by bench/lock_bench.cpp
// (counter/TicketLock at 4 and 8 processes on 2 cores; docs/performance.md):
// change both together.
constexpr std::uint32_t kJoinQueued = 2;
constexpr std::uint32_t kJoinYields = 8;

// The longest a waiter sleeps before it looks at the head's slot again: the
// bound on skipping a dead or abandoned head ticket when nobody is polling.
// A sleeper that wakes this often costs a few microseconds of CPU in 2 ms.
// Measured by tests/locks/ticket_lock_test.cpp ("a waiter SIGKILLed while
// queued"): change both together.
constexpr std::chrono::milliseconds kRecheck{2};

// Ends this thread's death watch (robust_list.hpp) when a lock call returns:
// its slot is free or marked gone by then.
class WatchEnds {
 public:
  WatchEnds() : list_(this_thread_robust_list()) {}
  WatchEnds(const WatchEnds&) = delete;
  WatchEnds& operator=(const WatchEnds&) = delete;
  ~WatchEnds() { watch_for_death(list_, nullptr); }
  robust_list_head& list() const noexcept { return list_; }

 private:
  robust_list_head& list_;
};

timespec sleep_deadline(std::chrono::steady_clock::time_point now,
                        const std::chrono::steady_clock::time_point* deadline) noexcept {
  auto until = now + kRecheck;
  if (deadline != nullptr) until = std::min(until, *deadline);
  return to_monotonic_timespec(until);
}

}  // namespace

// Yields the core while the queue is long (kJoinQueued, kJoinYields): a
// bounded delay before the ticket is taken, not a place in line.
void TicketLock::yield_to_queue(Deadline deadline) const noexcept {
  for (std::uint32_t yields = 0; yields < kJoinYields; ++yields) {
    // acquire: pairs with the move of serving_ to this value (unlock() or a
    // skipper), made after next_ passed it, so next_ reads no smaller.
    const std::uint32_t serving = serving_.load(std::memory_order_acquire);
    // relaxed: only an estimate of the queue's length; take_ticket() reads
    // next_ again for the ticket.
    if (next_.load(std::memory_order_relaxed) - serving < kJoinQueued) return;
    if (deadline != nullptr && std::chrono::steady_clock::now() >= *deadline) return;
    sched_yield();
  }
}

// Claims slot n % kSlots for ticket n and takes it. false: the slot is owned
// by someone else or next_ moved on; nothing changed.
bool TicketLock::claim(std::uint32_t n, std::uint32_t self, robust_list_head& list) {
  Slot& s = slot(n);
  std::uint32_t word = s.word.load(std::memory_order_seq_cst);
  if (owned(word)) return false;
  watch_for_death(list, &s.word);  // before the claim: a death right after it is marked
  // acquire on success: pairs with the last owner's release of the slot.
  // relaxed on failure: we touch nothing.
  if (!s.word.compare_exchange_strong(word, self, std::memory_order_acquire, std::memory_order_relaxed))
    return false;
  // The slot is ours: only we write its ticket, and only we can move next_
  // from n. What we replaced must not be a waiting ticket: a free slot never
  // is; a gone one is only if its ticket is still in the queue.
  const std::uint32_t was = s.ticket.load(std::memory_order_relaxed);  // relaxed: written by owners only, and we own it
  const std::uint32_t next = next_.load(std::memory_order_seq_cst);
  const bool stale = word == 0 || was == n || before(was, serving_.load(std::memory_order_seq_cst));
  if (next != n || !stale) {
    s.word.store(word, std::memory_order_seq_cst);  // give it back as it was
    return false;
  }
  s.ticket.store(n, std::memory_order_seq_cst);
  next_.store(n + 1, std::memory_order_seq_cst);  // only the owner of slot n % kSlots moves next_ from n
  return true;
}

// Takes the next ticket into `ticket`; waits while its slot is still owned (a
// full queue, or a racing taker). false only at the deadline.
bool TicketLock::take_ticket(std::uint32_t self, robust_list_head& list, Deadline deadline,
                             std::uint32_t& ticket) {
  Backoff backoff;
  for (;;) {
    const std::uint32_t n = next_.load(std::memory_order_seq_cst);
    if (claim(n, self, list)) {
      ticket = n;
      return true;
    }
    if (backoff.spin()) continue;
    // A full queue: its head may be gone with nobody awake behind it to skip it.
    skip_gone_head();
    const auto now = std::chrono::steady_clock::now();
    if (deadline != nullptr && now >= *deadline) return false;
    const timespec until = sleep_deadline(now, deadline);
    futex_wait(serving_, serving_.load(std::memory_order_seq_cst), &until);
  }
}

// Waits until serving_ == ticket (true) or the deadline passes (false).
bool TicketLock::wait_for_turn(std::uint32_t ticket, Deadline deadline) {
  Slot& mine = slot(ticket);
  for (;;) {
    // acquire: pairs with unlock()'s (or a skipper's) move of serving_ to us.
    std::uint32_t serving = serving_.load(std::memory_order_acquire);
    if (serving == ticket) return true;
    // The next in line polls at every pause, so it takes the lock the moment
    // it is handed over; anyone further back sleeps at once.
    for (std::uint32_t polls = 0; ticket - serving == 1 && polls < kNextInLinePolls; ++polls) {
      cpu_relax();
      serving = serving_.load(std::memory_order_acquire);  // as above
      if (serving == ticket) return true;
    }
    skip_gone_head();
    if (serving_.load(std::memory_order_acquire) == ticket) return true;  // as above
    const auto now = std::chrono::steady_clock::now();
    if (deadline != nullptr && now >= *deadline) return false;
    sleepers_.fetch_add(1, std::memory_order_seq_cst);  // then load serving_: see unlock()
    mine.word.fetch_or(kCounted, std::memory_order_relaxed);  // relaxed: read only by a skipper after our death
    serving = serving_.load(std::memory_order_seq_cst);
    if (serving != ticket) {
      const timespec until = sleep_deadline(now, deadline);
      futex_wait(serving_, serving, &until, ticket_bit(ticket));
    }
    mine.word.fetch_and(~kCounted, std::memory_order_relaxed);  // as above
    sleepers_.fetch_sub(1, std::memory_order_relaxed);  // relaxed: a late decrement costs only a wake
  }
}

// Moves serving_ past every head ticket whose waiter is gone.
void TicketLock::skip_gone_head() {
  for (;;) {
    std::uint32_t head = serving_.load(std::memory_order_seq_cst);
    Slot& s = slot(head);
    const std::uint32_t word = s.word.load(std::memory_order_seq_cst);
    if (!gone(word) || s.ticket.load(std::memory_order_seq_cst) != head) return;
    // A taker that died before storing next_ leaves its slot gone with a
    // ticket nobody holds: not ours to skip (the next taker reclaims it).
    if (next_.load(std::memory_order_seq_cst) == head) return;
    // Still gone after we saw head taken: the gone owner took it (a taker that
    // reclaims the slot for head owns it while it takes head).
    const std::uint32_t now = s.word.load(std::memory_order_seq_cst);
    if (!gone(now)) return;
    if (!serving_.compare_exchange_strong(head, head + 1, std::memory_order_seq_cst)) continue;
    if (now & kCounted) sleepers_.fetch_sub(1, std::memory_order_relaxed);  // the dead sleeper's count
    wake_from(head + 1);
  }
}

// Wakes the new head and the one after it (so it polls by its turn), if
// anyone sleeps. seq_cst: the load of the store-then-load pair (see the header).
void TicketLock::wake_from(std::uint32_t new_head) noexcept {
  if (sleepers_.load(std::memory_order_seq_cst) != 0)
    futex_wake(serving_, INT_MAX, ticket_bit(new_head) | ticket_bit(new_head + 1));
}

void TicketLock::acquired(std::uint32_t ticket, std::uint32_t self) noexcept {
  // A ticket already served: a taker that claims the free slot and dies
  // before it writes its own leaves the slot gone with this one, which no
  // skipper can take for the head (tests/model/ticket_lock.pml).
  Slot& mine = slot(ticket);
  mine.ticket.store(ticket - 1, std::memory_order_relaxed);  // relaxed: the release below publishes it
  // release: the next owner of the slot claims it with acquire.
  mine.word.store(0, std::memory_order_release);
  owner_.store(self, std::memory_order_relaxed);  // relaxed: read only by misuse checks
}

void TicketLock::lock() {
  const std::uint32_t self = current_tid();
  if (owner_.load(std::memory_order_relaxed) == self)  // relaxed: only we store our own tid
    detail::throw_relock("TicketLock::lock", self);
  yield_to_queue(nullptr);
  const WatchEnds watch;
  std::uint32_t ticket = 0;
  take_ticket(self, watch.list(), nullptr, ticket);
  wait_for_turn(ticket, nullptr);
  acquired(ticket, self);
}

bool TicketLock::try_lock() {
  const std::uint32_t self = current_tid();
  if (owner_.load(std::memory_order_relaxed) == self) return false;  // relaxed: only we store our own tid
  const std::uint32_t serving = serving_.load(std::memory_order_seq_cst);
  if (next_.load(std::memory_order_seq_cst) != serving) return false;  // held or queued
  // With next_ == serving at the claim, nobody else holds or waits: the
  // ticket is served at once (serving_ never passes next_).
  const WatchEnds watch;
  if (!claim(serving, self, watch.list())) return false;
  acquired(serving, self);
  return true;
}

bool TicketLock::try_lock_until(std::chrono::steady_clock::time_point deadline) {
  const std::uint32_t self = current_tid();
  if (owner_.load(std::memory_order_relaxed) == self)  // relaxed: only we store our own tid
    detail::throw_relock("TicketLock::try_lock_until", self);
  yield_to_queue(&deadline);
  const WatchEnds watch;
  std::uint32_t ticket = 0;
  if (!take_ticket(self, watch.list(), &deadline, ticket))
    return false;  // the deadline passed before a slot was free: no ticket taken
  if (wait_for_turn(ticket, &deadline)) {
    acquired(ticket, self);
    return true;
  }
  // Give the ticket up; whoever waits behind it (or we, if it is the head
  // now) moves serving_ past it.
  slot(ticket).word.store(kGone, std::memory_order_seq_cst);
  skip_gone_head();
  return false;
}

void TicketLock::unlock() {
  const std::uint32_t self = current_tid();
  const std::uint32_t owner = owner_.load(std::memory_order_relaxed);
  if (owner != self) [[unlikely]] detail::throw_not_owner("TicketLock::unlock", self, owner);
  owner_.store(0, std::memory_order_relaxed);
  // seq_cst: releases the critical section, and is the store of the
  // store-then-load pair with sleepers_ in wake_from (see the header).
  wake_from(serving_.fetch_add(1, std::memory_order_seq_cst) + 1);
}

}  // namespace billiard
