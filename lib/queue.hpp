// Queue<T>: the seed's circular buffer, lock-free. A bounded multi-producer
// multi-consumer ring of trivially copyable T in shared memory (Vyukov's
// bounded queue: one CAS on a shared position per operation, per-cell
// sequence numbers; a put adds one uncontended CAS on its own cell), whose
// blocking forms sleep on a futex. A Queue is a handle: copies share the ring,
// fork children inherit it.
//
// Words (QueueState, one block: a header, then `capacity` cells of a cache
// line or more each, so neighbouring cells never false-share):
//   enqueue_pos, dequeue_pos  64-bit positions, only ever growing: the next
//                             position to claim for a put / a get. Position p
//                             uses cell p % capacity (any capacity, not only
//                             powers of two); seq holds 2p: 2^63 positions never wrap.
//   cell.seq    2p        free(p): cell free for the put of position p
//               2p + 1    full(p): holds the item of position p, for the get of p
//               2(p+cap)  free(p + cap): free again, for the put of p + cap
//               (2p, not p as in Vyukov's queue, so that full(p) and
//               free(p + cap) differ for capacity 1 too)
//   cell.claim  tag(p) << 32 | owner: who is writing the cell in lap p.
//               tag(p) = the low 32 bits of p; owner 0: nobody yet, a tid: the
//               producer writing it, kCondemned: skipped by a consumer's repair.
//               (A producer stalled between its two CASes while 2^32 laps of
//               its cell pass could take a later lap's claim: not guarded.)
//   not_empty, not_full  a WaitSide each: `epoch`, the futex word sleepers
//               sleep on, and `sleepers`, how many counted themselves since
//               the last wake (a wake takes it to 0; sleepers never decrement).
//   closed      0 or 1.
// try_put(x): p = enqueue_pos; if cell.seq == free(p) CAS enqueue_pos p -> p+1
//   (the claim: the one CAS on a shared word), CAS claim tag(p)|0 -> tag(p)|tid
//   (on the cell's own line), write the item, store seq = full(p) (publish),
//   and if not_empty.sleepers != 0 wake its sleepers (below). seq below
//   free(p): full, return false. Above: another put took p, reload.
// try_get(): p = dequeue_pos; if cell.seq == full(p) CAS dequeue_pos p -> p+1,
//   read the item, reset claim to tag(p+cap)|0, store seq = free(p+cap), and
//   wake the not_full sleepers the same way. seq below full(p): empty (or a put
//   between its claim and its publish), return nullopt.
// put/get and the timed forms: try, retry while Backoff spins (atomic/backoff.hpp:
//   about 5 us, the locks' budget: a put or get in flight on the other side
//   usually lands in that time), then read the side's epoch, add themselves
//   to sleepers, try again, and sleep on the epoch they read. No lost wake-up:
//   the sleeper's increment precedes its retry and the waker's publish precedes
//   its sleepers load, all seq_cst, so one of the two sees the other (Dekker).
//   A waker that sees sleepers exchanges the count to 0 and, if it took a
//   non-zero count, bumps the epoch and wakes ALL sleepers of that side: a
//   sleeper that read the epoch before the bump cannot fall asleep on it, and
//   the wakers that come before the woken ones run find 0 and make no system
//   call. With nobody asleep a put or get makes no system call. Wake-all, not
//   wake-one: cells are published (and freed) out of position order, so a
//   wake can reach a sleeper whose own cell is not ready yet; waking all, each
//   re-checks. It costs a herd only when several sleep on one side. The
//   re-check reads the position again while its cell shows it taken.
//   tests/model/queue.pml checks all this (no lost wake-up, every item once,
//   FIFO per producer). Sleepers also re-check every kRecheck unwoken.
// close(): sets closed, bumps both epochs and wakes everyone. Puts after it
//   (try_put included) and puts asleep throw queue_closed; gets take what is
//   left, then return nullopt at once. A put that races with close() may still
//   land; close after the last put (as the seed's producer would) to drain all.
// Order: FIFO per producer (its puts claim growing positions, and gets take
//   positions in order); every item put is got exactly once (one CAS wins each
//   position on each side, and a cell's seq hands it from one side to the other).
//
// SIGKILL (or any death) at each step:
//   producer before its claim CAS, or after publishing: nothing happens to the
//     queue. Its item is not in it / is in it.
//   producer between the claim CAS and the publish: the cell stays claimed and
//     unpublished, and gets cannot pass it (FIFO). A consumer blocked in get()
//     or get_for() that finds the head cell so for kRepairAfter repairs it:
//     if claim names a thread that is gone (no /proc/<tid>, or a zombie) or
//     still names nobody (then it CASes the owner to kCondemned, so a producer
//     that was only slow finds its claim CAS failing, leaves the cell alone
//     and puts its item at a later position), the consumer takes the position
//     and frees the cell: the dead producer's item is lost (it never finished
//     its put) and the queue goes on. A live owner is waited for. Bound: a
//     consumer blocked in get() passes a dead producer's cell within about
//     kRepairAfter + kRecheck (40 ms); a get_for() returns by its deadline in
//     any case. try_get() never repairs: it reports an empty queue.
//   consumer between its claim CAS and freeing the cell: its item is lost (as
//     for any consumer killed holding one) and the cell is never freed:
//     producers find the queue full at that cell from then on. Not repaired.
//   sleeper (either side): the kernel drops it from the futex queue; its count
//     costs one extra wake at most (the next wake takes it to 0). It absorbs no
//     wake a live sleeper needed: every wake reaches every sleeper.
//   close(): one store and wakes; a death between them leaves sleepers to find
//     closed at their next re-check.
// Misuse: capacity 0 is std::invalid_argument, above kMaxCapacity
//   std::length_error, each naming the value.
#pragma once

#include <array>
#include <atomic>
#include <bit>
#include <chrono>
#include <cstddef>
#include <cstdint>
#include <new>
#include <optional>
#include <stdexcept>
#include <type_traits>

#include "billiard/atomic/backoff.hpp"
#include "billiard/atomic/cache_line.hpp"
#include "billiard/locks/thread_id.hpp"
#include "billiard/shared_heap.hpp"

namespace billiard {

// Thrown by a put (try_put, put, put_for) on a closed queue, and by one asleep when close() comes.
class queue_closed : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

namespace detail {

// One side's sleepers: those waiting for an item (not_empty) or for room (not_full).
struct alignas(kCacheLine) WaitSide {
  std::atomic<std::uint32_t> epoch{0};     // the futex word: bumped by each wake
  std::atomic<std::uint32_t> sleepers{0};  // sleepers counted since the last wake (never decremented)

  // After a publish (put) or a free (get): wakes every sleeper if any counted itself.
  void wake_sleepers() noexcept {
    // seq_cst: this load follows the caller's seq_cst store to a cell; a
    // sleeper's seq_cst increment precedes its seq_cst re-check of the cells.
    // One of the two sees the other: no wake-up is lost.
    if (sleepers.load(std::memory_order_seq_cst) != 0) [[unlikely]] wake();
  }
  // Takes the count to 0 and, if it was not already, bumps epoch and wakes all.
  [[gnu::cold, gnu::noinline]] void wake() noexcept;
};

struct alignas(kCacheLine) QueueHeader {
  std::uint64_t capacity = 0;  // written once, before the queue is shared
  std::atomic<std::uint32_t> closed{0};
  alignas(kCacheLine) std::atomic<std::uint64_t> enqueue_pos{0};
  alignas(kCacheLine) std::atomic<std::uint64_t> dequeue_pos{0};
  WaitSide not_empty;
  WaitSide not_full;
};

inline constexpr std::uint32_t kCondemned = 0xffff'ffffu;  // claim owner: skipped by a repair
inline constexpr std::uint64_t kMaxCapacity = std::uint64_t{1} << 24;

inline constexpr std::uint64_t claim_word(std::uint64_t pos, std::uint32_t owner) noexcept {
  return pos << 32 | owner;  // pos << 32 keeps pos's low 32 bits: tag(pos)
}

inline constexpr std::uint64_t free_seq(std::uint64_t pos) noexcept { return 2 * pos; }
inline constexpr std::uint64_t full_seq(std::uint64_t pos) noexcept { return 2 * pos + 1; }

// item is bytes, copied in and out with bit_cast: T need not be default-constructible.
template <class T>
struct alignas(kCacheLine) QueueCell {
  explicit QueueCell(std::uint64_t pos) noexcept : seq(free_seq(pos)), claim(claim_word(pos, 0)) {}
  std::atomic<std::uint64_t> seq;
  std::atomic<std::uint64_t> claim;
  std::array<std::byte, sizeof(T)> item{};
};

// The ring's shared state: a plain struct built in place at the start of one
// block of bytes(capacity) bytes (a Segment can place it the same way).
template <class T>
struct QueueState {
  static_assert(alignof(T) <= kCacheLine, "Queue<T>: T must not need more than cache-line alignment");
  using Cell = QueueCell<T>;

  QueueHeader header;

  static std::size_t bytes(std::uint64_t capacity) noexcept {
    return sizeof(QueueState) + static_cast<std::size_t>(capacity) * sizeof(Cell);
  }
  // Builds the state for capacity (checked by the caller) in memory of bytes(capacity).
  static QueueState* create_at(void* memory, std::uint64_t capacity) {
    auto* state = ::new (memory) QueueState();
    state->header.capacity = capacity;
    for (std::uint64_t i = 0; i < capacity; ++i)
      ::new (static_cast<void*>(state->cells() + i)) Cell(i);
    return state;
  }

  Cell* cells() noexcept { return std::launder(reinterpret_cast<Cell*>(this + 1)); }
  Cell& cell(std::uint64_t pos) noexcept { return cells()[pos % header.capacity]; }
};

struct QueueProbe;  // tests/queue_test.cpp: plays a producer that dies at a chosen step

// Out-of-line helpers that need no T.
void check_capacity(std::size_t capacity);      // throws invalid_argument / length_error
[[noreturn]] void throw_closed(const char* operation);
bool thread_gone(std::uint32_t tid) noexcept;  // no /proc/<tid>, or a zombie
// Sleeps on side.epoch == epoch until woken or min(deadline, now + kRecheck).
void sleep_on(WaitSide& side, std::uint32_t epoch, std::optional<std::chrono::steady_clock::time_point> deadline);

// Bounded re-check of every sleeper, as RobustLock's (locks/robust_lock.cpp):
// a safety net; the wake protocol alone loses no wake-up (tests/model/queue.pml).
inline constexpr auto kRecheck = std::chrono::milliseconds(20);
// How long the head cell must stay claimed and unpublished before a blocked
// consumer looks at its producer (tests/queue_test.cpp kills one there).
inline constexpr auto kRepairAfter = std::chrono::milliseconds(20);

}  // namespace detail

template <class T>
class Queue {
  static_assert(std::is_trivially_copyable_v<T>, "Queue<T> needs a trivially copyable T");
  using State = detail::QueueState<T>;
  using Cell = typename State::Cell;
  using Clock = std::chrono::steady_clock;
  using Deadline = std::optional<Clock::time_point>;

 public:
  using value_type = T;

  // A queue that holds exactly `capacity` items. 0 is std::invalid_argument,
  // above 2^24 std::length_error.
  explicit Queue(std::size_t capacity) : block_(allocate(capacity)), state_(build(block_, capacity)) {}
  // A handle on the QueueState already built in block (a segment's object, QueueState::create_at).
  Queue(detail::SharedBlock block, detail::adopt_t) noexcept
      : block_(std::move(block)), state_(std::launder(reinterpret_cast<State*>(block_.data()))) {}

  // Lock-free, no system call (unless a sleeper waits): false when full.
  bool try_put(const T& x) const {
    check_open("try_put");
    return put_once(x) == PutResult::put;
  }
  // Sleeps while full. Throws queue_closed when closed, before or while asleep.
  void put(const T& x) const { put_until(x, std::nullopt); }
  template <class Rep, class Period>
  bool put_for(const T& x, const std::chrono::duration<Rep, Period>& timeout) const {
    return put_until(x, Clock::now() + std::chrono::ceil<Clock::duration>(timeout));
  }

  // Lock-free, no system call (unless a sleeper waits): nullopt when empty.
  std::optional<T> try_get() const { return get_once(); }
  // Sleeps while empty; nullopt once the queue is closed and empty.
  std::optional<T> get() const { return get_until(std::nullopt); }
  // nullopt on time-out (by the deadline) or once closed and empty.
  template <class Rep, class Period>
  std::optional<T> get_for(const std::chrono::duration<Rep, Period>& timeout) const {
    return get_until(Clock::now() + std::chrono::ceil<Clock::duration>(timeout));
  }

  void close() const {
    // seq_cst: sleepers re-check closed with seq_cst loads. One whose re-check
    // missed this store read its epoch before the bumps below: its futex_wait
    // returns at once or is woken by them.
    h().closed.store(1, std::memory_order_seq_cst);
    h().not_empty.wake();
    h().not_full.wake();
  }
  bool closed() const noexcept { return h().closed.load(std::memory_order_acquire) != 0; }

  // A snapshot, between 0 and capacity().
  std::size_t size() const noexcept {
    // acquire, both: only a snapshot; dequeue first, so a get between the loads cannot make it negative
    const std::uint64_t out = h().dequeue_pos.load(std::memory_order_acquire);
    const std::uint64_t in = h().enqueue_pos.load(std::memory_order_acquire);
    const std::uint64_t n = in > out ? in - out : 0;
    return static_cast<std::size_t>(n < h().capacity ? n : h().capacity);
  }
  std::size_t capacity() const noexcept { return static_cast<std::size_t>(h().capacity); }
  bool empty() const noexcept { return size() == 0; }
  bool full() const noexcept { return size() == capacity(); }

 private:
  enum class PutResult { put, full };

  static detail::SharedBlock allocate(std::size_t capacity) {
    detail::check_capacity(capacity);
    return detail::SharedBlock::allocate(State::bytes(capacity));
  }
  static State* build(const detail::SharedBlock& block, std::size_t capacity) {
    return State::create_at(block.data(), capacity);
  }

  detail::QueueHeader& h() const noexcept { return state_->header; }

  void check_open(const char* operation) const {
    // relaxed: a close() that happens before this put is seen by coherence; one
    // that races with it may or may not be (the put may land, as documented)
    if (h().closed.load(std::memory_order_relaxed) != 0) [[unlikely]] detail::throw_closed(operation);
  }

  PutResult put_once(const T& x) const {
    for (;;) {
      // relaxed: a stale position only fails the CAS below or the seq check
      std::uint64_t pos = h().enqueue_pos.load(std::memory_order_relaxed);
      Cell& cell = state_->cell(pos);
      // acquire: pairs with the get's seq_cst (release) store that freed the cell:
      // its read of the old item happens before our write
      const std::uint64_t seq = cell.seq.load(std::memory_order_acquire);
      const auto diff = static_cast<std::int64_t>(seq - detail::free_seq(pos));
      if (diff == 0) {
        // relaxed, success and failure: the position only picks the cell; the
        // cell's seq carries every order the item needs
        if (!h().enqueue_pos.compare_exchange_weak(pos, pos + 1, std::memory_order_relaxed,
                                                   std::memory_order_relaxed))
          continue;
        std::uint64_t unclaimed = detail::claim_word(pos, 0);
        // relaxed: the claim only decides who owns the cell against a repair
        // (one RMW on one word wins); the item's order is carried by seq
        if (!cell.claim.compare_exchange_strong(unclaimed, detail::claim_word(pos, current_tid()),
                                                std::memory_order_relaxed, std::memory_order_relaxed))
          continue;  // a consumer condemned our slow claim: the cell is not ours; try a later one
        cell.item = std::bit_cast<decltype(cell.item)>(x);
        // seq_cst: release publishes the item to the get's acquire load of seq;
        // seq_cst orders it before wake_sleepers's load of sleepers (see WaitSide)
        cell.seq.store(detail::full_seq(pos), std::memory_order_seq_cst);
        h().not_empty.wake_sleepers();
        return PutResult::put;
      }
      if (diff < 0) return PutResult::full;  // the cell still holds (or is getting) the last lap's item
      // diff > 0: another put claimed pos; reload
    }
  }

  // An item, or nullopt when the head cell holds none (yet).
  std::optional<T> get_once() const {
    for (;;) {
      std::uint64_t pos = h().dequeue_pos.load(std::memory_order_relaxed);  // relaxed: as in put_once
      Cell& cell = state_->cell(pos);
      // acquire: pairs with the put's seq_cst (release) publish: the item is visible
      const std::uint64_t seq = cell.seq.load(std::memory_order_acquire);
      const auto diff = static_cast<std::int64_t>(seq - detail::full_seq(pos));
      if (diff == 0) {
        // relaxed, both: as in put_once
        if (!h().dequeue_pos.compare_exchange_weak(pos, pos + 1, std::memory_order_relaxed,
                                                   std::memory_order_relaxed))
          continue;
        const T item = std::bit_cast<T>(cell.item);
        free_cell(cell, pos);
        return item;
      }
      if (diff < 0) return std::nullopt;  // empty, or a put between its claim and its publish
    }
  }

  // The head position when a put has claimed it (and not published it yet,
  // or just now), else UINT64_MAX. Read only once a get has spun in vain, so
  // that a polling consumer does not pull the producers' enqueue_pos line.
  std::uint64_t stalled_head() const noexcept {
    // relaxed, both: a hint for the repair path, which re-checks everything it acts on
    const std::uint64_t pos = h().dequeue_pos.load(std::memory_order_relaxed);
    return h().enqueue_pos.load(std::memory_order_relaxed) > pos ? pos : UINT64_MAX;
  }

  void free_cell(Cell& cell, std::uint64_t pos) const noexcept {
    const std::uint64_t next = pos + h().capacity;
    // relaxed: published by the seq store below to the next lap's put (acquire)
    cell.claim.store(detail::claim_word(next, 0), std::memory_order_relaxed);
    // seq_cst: release hands the cell (our read of the item, the claim reset) to
    // the next put; seq_cst orders it before wake_sleepers's load of sleepers
    cell.seq.store(detail::free_seq(next), std::memory_order_seq_cst);
    h().not_full.wake_sleepers();
  }

  // The head cell at pos has been claimed and unpublished for kRepairAfter.
  // Returns the item when its producer published it after all; nullopt when it
  // skipped the cell, or when there is nothing to do (a live producer writes it,
  // or another consumer moved on): the caller retries either way.
  [[gnu::noinline]] std::optional<T> repair(std::uint64_t pos) const {
    Cell& cell = state_->cell(pos);
    // acquire: pairs with nothing we read through; the RMWs below decide
    std::uint64_t claim = cell.claim.load(std::memory_order_acquire);
    if (claim >> 32 != (pos & 0xffff'ffffu)) return std::nullopt;  // another lap: moved on
    const auto owner = static_cast<std::uint32_t>(claim);
    if (owner == 0) {
      // relaxed: as the producer's claim CAS; whichever RMW comes first wins
      if (!cell.claim.compare_exchange_strong(claim, detail::claim_word(pos, detail::kCondemned),
                                              std::memory_order_relaxed, std::memory_order_relaxed))
        return std::nullopt;  // the producer claimed it just now: it is alive
    } else if (owner != detail::kCondemned && !detail::thread_gone(owner)) {
      return std::nullopt;  // alive: it will publish
    }
    // Nobody will write the cell now: take the position and free it.
    std::uint64_t expected = pos;
    // relaxed: as in get_once; the seq load below carries the acquire
    if (!h().dequeue_pos.compare_exchange_strong(expected, pos + 1, std::memory_order_relaxed,
                                                 std::memory_order_relaxed))
      return std::nullopt;  // another consumer repaired it
    std::optional<T> item;
    // acquire: a producer that published before it died: its item is visible
    if (cell.seq.load(std::memory_order_acquire) == detail::full_seq(pos)) item = std::bit_cast<T>(cell.item);
    free_cell(cell, pos);
    return item;
  }

  bool put_until(const T& x, Deadline deadline) const {
    detail::WaitSide& side = h().not_full;
    for (Backoff backoff;;) {
      check_open("put");
      if (put_once(x) == PutResult::put) return true;
      if (deadline && Clock::now() >= *deadline) return false;
      if (backoff.spin()) continue;  // a consumer is likely freeing a cell right now: no sleep yet
      backoff = Backoff();
      // acquire: pairs with wake()'s bump; a bump after this load makes the futex wait return at once
      const std::uint32_t epoch = side.epoch.load(std::memory_order_acquire);
      side.sleepers.fetch_add(1, std::memory_order_seq_cst);  // seq_cst: see WaitSide::wake_sleepers
      if (!room_or_closed()) detail::sleep_on(side, epoch, deadline);
      // no decrement: the next wake takes the count to 0 (WaitSide)
    }
  }

  std::optional<T> get_until(Deadline deadline) const {
    detail::WaitSide& side = h().not_empty;
    std::uint64_t watched = UINT64_MAX;  // the stalled head position we are timing
    Clock::time_point since{};
    for (Backoff backoff;;) {
      if (std::optional<T> item = get_once()) return item;
      // acquire: pairs with close()'s store
      const bool closed = h().closed.load(std::memory_order_acquire) != 0;
      // Polls the head cell alone while a producer is likely publishing right
      // now (bench/queue_bench: the clock and enqueue_pos on every poll cost
      // the producers a cache miss per item).
      if (!closed && (!deadline || Clock::now() < *deadline) && backoff.spin()) continue;
      backoff = Backoff();
      const std::uint64_t stalled = stalled_head();
      const auto now = Clock::now();
      if (stalled != UINT64_MAX) {
        if (stalled != watched) {
          watched = stalled;
          since = now;
        } else if (now - since >= detail::kRepairAfter) {
          if (std::optional<T> item = repair(stalled)) return item;
          since = now;
          continue;
        }
      } else if (closed) {
        return std::nullopt;  // closed and empty: drained
      }
      if (deadline && now >= *deadline) return std::nullopt;
      // acquire: as in put_until
      const std::uint32_t epoch = side.epoch.load(std::memory_order_acquire);
      side.sleepers.fetch_add(1, std::memory_order_seq_cst);  // seq_cst: see WaitSide::wake_sleepers
      // a stalled head: sleep until the publish, or until the repair is due, even when closed
      if (!item_or_closed(stalled != UINT64_MAX))
        detail::sleep_on(side, epoch, stalled != UINT64_MAX ? earliest(deadline, since + detail::kRepairAfter) : deadline);
    }
  }

  static Deadline earliest(Deadline deadline, Clock::time_point t) noexcept {
    return deadline && *deadline < t ? *deadline : t;
  }

  // The re-checks after a sleeper's increment, with seq_cst loads (WaitSide::wake_sleepers):
  // whether the cell at `position` is ready (seq == want(pos)). A seq past it
  // means another process took that position meanwhile: read it again, for
  // the next cell may be ready (tests/model/queue.pml, BROKEN_STALE_CHECK).
  bool ready(const std::atomic<std::uint64_t>& position, std::uint64_t (*want)(std::uint64_t)) const noexcept {
    for (;;) {
      const std::uint64_t pos = position.load(std::memory_order_seq_cst);
      const auto diff = static_cast<std::int64_t>(state_->cell(pos).seq.load(std::memory_order_seq_cst) - want(pos));
      if (diff <= 0) return diff == 0;
    }
  }
  bool room_or_closed() const noexcept {
    return ready(h().enqueue_pos, detail::free_seq) || h().closed.load(std::memory_order_seq_cst) != 0;
  }
  bool item_or_closed(bool stalled) const noexcept {
    return ready(h().dequeue_pos, detail::full_seq) || (!stalled && h().closed.load(std::memory_order_seq_cst) != 0);
  }


  detail::SharedBlock block_;
  State* state_;
  friend struct detail::QueueProbe;
};

}  // namespace billiard
