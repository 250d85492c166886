// circular-buffer: the seed's CircularBuffer(5), its producer and its two
// consumers. Slots, head, tail and count live in shared memory and one lock
// (the slots array's, as the seed's buffer.get_lock()) guards them all. The
// producer puts items 1..n and the consumers take them, each pausing after
// every item as the seed sleeps. Every delivery is counted per item, so an
// item delivered twice (a duplicate) or never (a loss) is measured exactly.
// Raw, two consumers that read head at once take the same item, and a count
// written back stale lets the producer overwrite an item never taken.
#include <optional>
#include <string>
#include <vector>

#include "billiard/atomic/backoff.hpp"
#include "billiard/billiard.hpp"
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
    // relaxed, here and in get(): under a lock, the lock orders them; without one, no order would help
    const int count = count_.load(std::memory_order_relaxed);
    if (count >= kSlots) return false;  // full
    const int tail = tail_.load(std::memory_order_relaxed);
    raw_.store(static_cast<std::size_t>(tail), item, std::memory_order_relaxed);
    tail_.store((tail + 1) % kSlots, std::memory_order_relaxed);
    count_.store(count + 1, std::memory_order_relaxed);
    return true;
  }

  std::optional<int> get() const {
    const auto section = hold(slots_);
    const int count = count_.load(std::memory_order_relaxed);
    if (count <= 0) return std::nullopt;  // empty
    const int head = head_.load(std::memory_order_relaxed);
    const int item = raw_.load(static_cast<std::size_t>(head), std::memory_order_relaxed);
    head_.store((head + 1) % kSlots, std::memory_order_relaxed);
    count_.store(count - 1, std::memory_order_relaxed);
    return item;
  }

 private:
  Slots slots_;
  RawArray<int> raw_;  // slots_'s storage
  RawValue<int> head_, tail_, count_;
};

struct Tally {
  RawArray<int> deliveries;         // per item 1..n, at index item - 1
  RawValue<long long> phantoms{0};  // items taken that were never put (a slot never written)
  RawValue<long long> taken{0};
  explicit Tally(long long items) : deliveries(static_cast<std::size_t>(items)) {}
};

template <class Slots>
void consume(const Ring<Slots>& ring, const RawValue<int>& produced, const Tally& tally) {
  const auto items = static_cast<int>(tally.deliveries.size());
  long long taken = 0;
  Backoff idle;
  for (;;) {
    const bool finished = produced.load() != 0;  // read before get(): if set, every put came before it
    if (const std::optional<int> item = ring.get()) {
      idle = Backoff();
      ++taken;
      // relaxed: counts, read by the parent after join
      if (*item >= 1 && *item <= items)
        tally.deliveries.fetch_add(static_cast<std::size_t>(*item - 1), 1, std::memory_order_relaxed);
      else
        tally.phantoms.fetch_add(1, std::memory_order_relaxed);
      pause();  // the seed sleeps after each item it gets
    } else if (finished) {
      break;
    } else {
      idle.snooze();  // empty: the seed sleeps; we spin a little, then yield
    }
  }
  tally.taken.fetch_add(taken, std::memory_order_relaxed);  // relaxed: read by the parent after join
}

template <class Slots>
void measure(const Slots& slots, Result& row, const Settings& settings) {
  const Ring<Slots> ring(slots);
  const Tally tally(row.iterations);
  const RawValue<int> produced(0);
  std::vector<Worker> workers;
  workers.push_back({"producer", [&] {
                       for (long long item = 1; item <= row.iterations; ++item) {
                         for (Backoff full; !ring.put(static_cast<int>(item));) full.snooze();  // the seed sleeps
                         pause();  // and it sleeps after each item it puts
                       }
                       produced.store(1);
                     }});
  for (int c = 1; c < row.processes; ++c)
    workers.push_back({"consumer " + std::to_string(c), [&] { consume(ring, produced, tally); }});
  run_row(row, workers, settings);

  long long delivered = 0, duplicates = 0;
  for (const int n : tally.deliveries.to_vector()) {
    delivered += n > 0;
    duplicates += n > 1 ? n - 1 : 0;
  }
  row.expected = row.iterations;
  row.observed = delivered;
  row.violations = duplicates + tally.phantoms.load();
  row.checks = tally.taken.load();
  row.operations = row.iterations;
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

}  // namespace billiard::stress
