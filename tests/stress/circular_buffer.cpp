// circular-buffer: the seed's CircularBuffer(5), its producer and its two
// consumers. Slots, head, tail and count live in shared memory and one lock
// (the slots array's, as the seed's buffer.get_lock()) guards them all. The
// producer puts items 1..n and the consumers take them, each pausing after
// every item as the seed sleeps. Every delivery is counted per item, so an
// item delivered twice (a duplicate) or never (a loss) is measured exactly.
// Raw, two consumers that read head at once take the same item, and a count
// written back stale lets the producer overwrite an item never taken.
// The producer puts in bursts of kBurst items with a kGap sleep between (the
// seed's producer sleeps between items), so consumers also wait on an empty
// ring: the seed's consumers poll (here they spin, then yield: Backoff);
// circular-buffer-blocking's sleep on a Condition (the same ring, its lock
// shared by two Conditions, not_empty and not_full). Each row reports put,
// got, duplicates, items out of order and the consumers' CPU time spent
// waiting (DeliveryFigures).
#include <algorithm>
#include <chrono>
#include <mutex>
#include <optional>
#include <string>
#include <thread>
#include <vector>

#include "billiard/atomic/backoff.hpp"
#include "billiard/billiard.hpp"
#include "wait_cost.hpp"
#include "lock_kinds.hpp"
#include "pause.hpp"
#include "scenarios.hpp"
#include "section.hpp"

namespace billiard::stress {
namespace {

constexpr int kSlots = 5;  // the seed's CircularBuffer(5)

// The seed's CircularBuffer: put() and get() each hold the slots' lock (a
// raw ring holds none) while they use slots, head, tail and count.
template <class Slots>
class Ring {
 public:
  explicit Ring(Slots slots) : slots_(std::move(slots)), raw_(storage(slots_)) {}

  bool put(int item) const {
    const auto section = hold(slots_);
    return put_held(item);
  }
  std::optional<int> get() const {
    const auto section = hold(slots_);
    return get_held();
  }

  // With the slots' lock held (or none, raw), as put() and get() hold it.
  // relaxed, here and below: under a lock, the lock orders them; without one, no order would help
  bool put_held(int item) const {
    const int count = count_.load(std::memory_order_relaxed);
    if (count >= kSlots) return false;  // full
    const int tail = tail_.load(std::memory_order_relaxed);
    raw_.store(static_cast<std::size_t>(tail), item, std::memory_order_relaxed);
    tail_.store((tail + 1) % kSlots, std::memory_order_relaxed);
    count_.store(count + 1, std::memory_order_relaxed);
    return true;
  }
  std::optional<int> get_held() const {
    const int count = count_.load(std::memory_order_relaxed);
    if (count <= 0) return std::nullopt;  // empty
    const int head = head_.load(std::memory_order_relaxed);
    const int item = raw_.load(static_cast<std::size_t>(head), std::memory_order_relaxed);
    head_.store((head + 1) % kSlots, std::memory_order_relaxed);
    count_.store(count - 1, std::memory_order_relaxed);
    return item;
  }
  bool empty_held() const { return count_.load(std::memory_order_relaxed) <= 0; }
  bool full_held() const { return count_.load(std::memory_order_relaxed) >= kSlots; }

 private:
  Slots slots_;
  RawArray<int> raw_;  // slots_'s storage
  RawValue<int> head_, tail_, count_;
};

struct Tally {
  RawArray<int> deliveries;              // per item 1..n, at index item - 1
  RawValue<long long> phantoms{0};       // items taken that were never put (a slot never written)
  RawValue<long long> taken{0};
  RawValue<long long> out_of_order{0};   // items a consumer got after a later one (one producer: FIFO)
  SharedWaitCost waits;                  // consumers' time while the ring was empty
  IdleMeter idle;                        // and while the producer slept
  Tally(long long items, int consumers) : deliveries(static_cast<std::size_t>(items)), idle(consumers) {}
};

// What one consumer got, folded into the Tally when it ends.
class Receipts {
 public:
  // consumer: 0, 1, ... (its IdleMeter slot)
  Receipts(const Tally& tally, int consumer) : tally_(tally), items_(static_cast<int>(tally.deliveries.size())) {
    tally.idle.enlist(consumer);
  }

  void got(int item) {
    ++taken_;
    // relaxed: counts, read by the parent after join
    if (item >= 1 && item <= items_)
      tally_.deliveries.fetch_add(static_cast<std::size_t>(item - 1), 1, std::memory_order_relaxed);
    else
      tally_.phantoms.fetch_add(1, std::memory_order_relaxed);
    out_of_order_ += item < last_;
    last_ = std::max(last_, item);
  }
  // The ring was empty from `since` to now.
  void waited(const WaitTimer& since) { since.add_to(waits_); }

  ~Receipts() {  // relaxed: read by the parent after join
    tally_.taken.fetch_add(taken_, std::memory_order_relaxed);
    tally_.out_of_order.fetch_add(out_of_order_, std::memory_order_relaxed);
    tally_.waits.add(waits_);
  }
  Receipts(const Receipts&) = delete;
  Receipts& operator=(const Receipts&) = delete;

 private:
  const Tally& tally_;
  const int items_;
  long long taken_ = 0, out_of_order_ = 0;
  WaitCost waits_;
  int last_ = 0;
};

// The producer's rhythm, the same in both variants: a pause after each item,
// a kGap sleep after each kBurst (the consumers' CPU meanwhile is measured).
void after_put(long long item, const Tally& tally) {
  pause();  // the seed sleeps after each item it puts
  if (item % kBurst == 0) tally.idle.idle(kGap);
}

template <class Slots>
void consume(const Ring<Slots>& ring, const RawValue<int>& produced, const Tally& tally, int consumer) {
  Receipts receipts(tally, consumer);
  Backoff idle;
  std::optional<WaitTimer> idle_since;  // since the ring was first found empty; none: not idle
  for (;;) {
    const bool finished = produced.load() != 0;  // read before get(): if set, every put came before it
    if (const std::optional<int> item = ring.get()) {
      if (idle_since) receipts.waited(*idle_since);
      idle_since.reset();
      idle = Backoff();
      receipts.got(*item);
      pause();  // the seed sleeps after each item it gets
    } else if (finished) {
      break;
    } else {
      if (!idle_since) idle_since.emplace();
      idle.snooze();  // empty: the seed sleeps; we spin a little, then yield
    }
  }
  if (idle_since) receipts.waited(*idle_since);
}

// The row's figures from the tally, once every worker has ended.
void settle(const Tally& tally, Result& row) {
  long long delivered = 0, duplicates = 0;
  for (const int n : tally.deliveries.to_vector()) {
    delivered += n > 0;
    duplicates += n > 1 ? n - 1 : 0;
  }
  row.expected = row.iterations;
  row.observed = delivered;
  row.violations = duplicates + tally.phantoms.load() + tally.out_of_order.load();
  row.checks = tally.taken.load();
  row.operations = row.iterations;
  row.delivery = DeliveryFigures{row.iterations, tally.taken.load(), duplicates, tally.out_of_order.load()};
  tally.waits.report(*row.delivery);
  tally.idle.report(*row.delivery);
}

template <class Slots>
void measure(const Slots& slots, Result& row, const Settings& settings) {
  const Ring<Slots> ring(slots);
  const Tally tally(row.iterations, row.processes - 1);
  const RawValue<int> produced(0);
  std::vector<Worker> workers;
  workers.push_back({"producer", [&] {
                       for (long long item = 1; item <= row.iterations; ++item) {
                         for (Backoff full; !ring.put(static_cast<int>(item));) full.snooze();  // the seed sleeps
                         after_put(item, tally);
                       }
                       produced.store(1);
                     }});
  for (int c = 1; c < row.processes; ++c)
    workers.push_back({"consumer " + std::to_string(c), [&, c] { consume(ring, produced, tally, c - 1); }});
  run_row(row, workers, settings);
  settle(tally, row);
}

// circular-buffer-blocking: the same ring and rhythm, but a full producer and
// an idle consumer sleep on a Condition of the slots' own lock.
template <class Kind>
void measure_blocking(Result& row, const Settings& settings) {
  const Lock<Kind> lock;
  const Ring<Array<int, Kind>> ring(Array<int, Kind>(kSlots, lock));
  const Condition<Kind> not_empty(lock), not_full(lock);
  const Tally tally(row.iterations, row.processes - 1);
  const RawValue<int> produced(0);  // under the lock
  std::vector<Worker> workers;
  workers.push_back({"producer", [&] {
                       for (long long item = 1; item <= row.iterations; ++item) {
                         {
                           std::unique_lock section(not_full);
                           not_full.wait([&] { return !ring.full_held(); });
                           ring.put_held(static_cast<int>(item));
                           not_empty.notify_one();
                         }
                         after_put(item, tally);
                       }
                       std::unique_lock section(not_empty);
                       produced.store(1, std::memory_order_relaxed);  // relaxed: under the lock
                       not_empty.notify_all();
                     }});
  for (int c = 1; c < row.processes; ++c)
    workers.push_back({"consumer " + std::to_string(c), [&, c] {
                         Receipts receipts(tally, c - 1);
                         for (;;) {
                           std::optional<int> item;
                           {
                             std::unique_lock section(not_empty);
                             if (ring.empty_held() && produced.load(std::memory_order_relaxed) == 0) {
                               const WaitTimer since;
                               not_empty.wait([&] {
                                 return !ring.empty_held() || produced.load(std::memory_order_relaxed) != 0;
                               });
                               receipts.waited(since);
                             }
                             item = ring.get_held();
                             if (!item) break;  // empty, and the producer is done
                             not_full.notify_one();
                           }
                           receipts.got(*item);
                           pause();  // the seed sleeps after each item it gets
                         }
                       }});
  run_row(row, workers, settings);
  settle(tally, row);
}

}  // namespace

std::vector<Job> circular_buffer_jobs(const Settings& s) {
  std::vector<Job> jobs;
  jobs.push_back({header("circular-buffer", Variant::raw, kNoLock, "i", s.processes, s.iterations),
                  [s](Result& row) { measure(RawArray<int>(kSlots), row, s); }});
  for_each_kind([&]<class Kind>() {
    jobs.push_back({header("circular-buffer", Variant::synchronized, kind_name<Kind>(), "i", s.processes, s.iterations),
                    [s](Result& row) { measure(Array<int, Kind>(kSlots), row, s); }});
  });
  return jobs;
}

std::vector<Job> circular_buffer_blocking_jobs(const Settings& s) {
  std::vector<Job> jobs;
  for_each_kind([&]<class Kind>() {
    jobs.push_back({header("circular-buffer-blocking", Variant::synchronized, kind_name<Kind>(), "i", s.processes,
                           s.iterations),
                    [s](Result& row) { measure_blocking<Kind>(row, s); }});
  });
  return jobs;
}

}  // namespace billiard::stress
