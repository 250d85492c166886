// queue: the seed's circular buffer on Queue<T>: producers put items into a
// small queue (the seed's CircularBuffer(5)) and consumers get them, each
// pausing after every item as the seed sleeps; nobody polls: a full queue puts
// producers to sleep, an empty one consumers. After every kBurst items the
// producers meet at a Barrier and sleep kGap together (the seed's producer
// sleeps between items), so the consumers also face a drained queue; one
// producer measures their CPU time meanwhile (IdleMeter). The last producer to finish
// closes the queue, which ends the consumers' loops once it is drained. Every
// delivery is counted per item (lost, duplicated), each consumer checks each
// producer's items come in order, and the consumers time the CPU they burn in
// gets that had to wait.
#include <chrono>
#include <cstdint>
#include <optional>
#include <string>
#include <thread>
#include <vector>

#include "billiard/billiard.hpp"
#include "wait_cost.hpp"
#include "lock_kinds.hpp"
#include "pause.hpp"
#include "scenarios.hpp"

namespace billiard::stress {
namespace {

constexpr std::size_t kCapacity = 5;  // the seed's CircularBuffer(5): both sides block

struct Tally {
  RawArray<int> deliveries;  // per item: producer * n + i
  // relaxed, all: counts summed by the consumers at their end, read by the parent after join
  RawValue<long long> got{0}, phantoms{0}, out_of_order{0};
  SharedWaitCost waits;
  RawValue<int> producing{0};  // producers not finished yet: the last one closes the queue
  IdleMeter idle;
  Tally(long long items, int consumers) : deliveries(static_cast<std::size_t>(items)), idle(consumers) {}
};

void consume(const Queue<std::uint64_t>& queue, const Tally& tally, int producers, long long n, int consumer) {
  tally.idle.enlist(consumer);
  std::vector<long long> last(static_cast<std::size_t>(producers), -1);
  long long got = 0, phantoms = 0, out_of_order = 0;
  WaitCost waits;
  for (;;) {
    std::optional<std::uint64_t> item = queue.try_get();
    if (!item) {  // empty: this get waits, and what it costs is the figure
      const WaitTimer since;
      item = queue.get();
      since.add_to(waits);
      if (!item) break;  // closed and drained
    }
    ++got;
    const auto p = static_cast<long long>(*item >> 32), i = static_cast<long long>(*item & 0xffff'ffffu);
    if (p >= producers || i >= n) {
      ++phantoms;
    } else {
      tally.deliveries.fetch_add(static_cast<std::size_t>(p * n + i), 1, std::memory_order_relaxed);
      if (i <= last[static_cast<std::size_t>(p)]) ++out_of_order;  // a repeat also lands here
      last[static_cast<std::size_t>(p)] = i;
    }
    pause();  // the seed sleeps after each item it gets
  }
  tally.got.fetch_add(got, std::memory_order_relaxed);
  tally.phantoms.fetch_add(phantoms, std::memory_order_relaxed);
  tally.out_of_order.fetch_add(out_of_order, std::memory_order_relaxed);
  tally.waits.add(waits);
}

void measure(Result& row, int producers, const Settings& settings) {
  const long long n = row.iterations;
  const Queue<std::uint64_t> queue(kCapacity);
  const Tally tally(producers * n, row.processes - producers);
  const Barrier gap(producers);  // the producers sleep together: the queue drains and stays empty
  tally.producing.store(producers);
  std::vector<Worker> workers;
  for (int p = 0; p < producers; ++p)
    workers.push_back({"producer " + std::to_string(p + 1), [&, p] {
                         for (long long i = 0; i < n; ++i) {
                           queue.put(static_cast<std::uint64_t>(p) << 32 | static_cast<std::uint64_t>(i));
                           pause();  // the seed sleeps after each item it puts
                           if ((i + 1) % kBurst == 0) {
                             if (gap.wait() == 0)
                               tally.idle.idle(kGap);
                             else
                               std::this_thread::sleep_for(kGap);
                           }
                         }
                         if (tally.producing.fetch_sub(1) == 1) queue.close();  // the last put is in
                       }});
  for (int c = producers; c < row.processes; ++c)
    workers.push_back({"consumer " + std::to_string(c - producers + 1),
                       [&, c] { consume(queue, tally, producers, n, c - producers); }});
  run_row(row, workers, settings);

  long long delivered = 0, duplicated = 0;
  for (const int k : tally.deliveries.to_vector()) {
    delivered += k > 0;
    duplicated += k > 1 ? k - 1 : 0;
  }
  DeliveryFigures d;
  d.put = producers * n;
  d.got = tally.got.load();
  d.duplicated = duplicated;
  // a duplicate that reaches the consumer that had the item already counts as out of order too
  d.out_of_order = tally.out_of_order.load();
  tally.waits.report(d);
  tally.idle.report(d);
  row.expected = d.put;
  row.observed = delivered;
  row.violations = duplicated + d.out_of_order + tally.phantoms.load();
  row.checks = d.got;
  row.operations = d.put;
  row.delivery = d;
}

}  // namespace

std::vector<Job> queue_jobs(const Settings& s) {
  // 3 producers and 2 consumers at the default 5 processes; fewer: 1 consumer.
  const int consumers = s.processes >= 4 ? 2 : 1;
  const int producers = s.processes - consumers;
  std::vector<Job> jobs;
  jobs.push_back({header("queue", Variant::atomic, kNoLock, "Q", s.processes, s.iterations),
                  [s, producers](Result& row) { measure(row, producers, s); }});
  return jobs;
}

}  // namespace billiard::stress
