// stats: the seed's SharedStats (stats.hpp), forked generators and a
// reporter, raw against every lock kind.
// stats: the reporter polls, snapshotting as fast as it can (the seed's
// sleeps and re-reads). stats-condition: it sleeps on a Condition of the
// stats' lock and generators wake it every kReportEvery updates and when
// done. Both report DeliveryFigures: updates made and seen, snapshots out of
// order (a count going back), and the reporter's CPU time while waiting
// (polling: all of it).
#include <mutex>
#include <string>
#include <vector>

#include "billiard/billiard.hpp"
#include "wait_cost.hpp"
#include "lock_kinds.hpp"
#include "scenarios.hpp"
#include "section.hpp"
#include "stats.hpp"

namespace billiard::stress {
namespace {

constexpr long long kReportEvery = 1000;  // stats-condition: updates between two wake-ups of the reporter

// What the reporter saw, for the parent after join.
struct Seen {
  RawValue<long long> snapshots{0}, inconsistent{0}, backwards{0}, last_count{0};
  SharedWaitCost waits;

  // Checks one snapshot against the previous one.
  void snapshot(const Stats& s, long long& taken, long long& bad, long long& back, long long& last) const {
    ++taken;
    bad += !consistent(s);
    back += s.count < last;
    last = s.count;
  }
  void store(long long taken, long long bad, long long back, long long last, const WaitCost& waits) const {
    snapshots.store(taken);
    inconsistent.store(bad);
    backwards.store(back);
    last_count.store(last);
    this->waits.add(waits);
  }
};

// Snapshots until every generator is done (one more after that), counting
// inconsistent ones. It never waits for anything: all its CPU is polling.
template <class Shared>
void report_polling(const Shared& stats, int generators, const RawValue<int>& done, const Seen& seen) {
  const WaitTimer start;
  long long taken = 0, bad = 0, back = 0, last = 0;
  for (bool finished = false; !finished;) {
    finished = done.load() == generators;
    seen.snapshot(stats.load(), taken, bad, back, last);  // raw: a plain copy; synchronized: under the lock
  }
  WaitCost waits;
  start.add_to(waits);
  seen.store(taken, bad, back, last, waits);
}

// The row's figures, once every worker has ended.
template <class Shared>
void settle(const Shared& stats, int generators, const Generated& generated, const Seen& seen, Result& row) {
  tally(row, stats, generators, generated, seen.snapshots, seen.inconsistent);
  row.violations += seen.backwards.load();
  row.delivery = DeliveryFigures{row.expected, seen.last_count.load(), 0, seen.backwards.load()};
  seen.waits.report(*row.delivery);
}

template <class Shared>
void measure(const Shared& stats, Result& row, const Settings& settings) {
  const int generators = row.processes - 1;
  const Generated generated(static_cast<std::size_t>(generators));
  const RawValue<int> done(0);
  const Seen seen;
  std::vector<Worker> workers;
  for (int g = 0; g < generators; ++g)
    workers.push_back({"generator " + std::to_string(g + 1), [&, g] {
                         generate(stats, settings.seed + static_cast<std::uint64_t>(g), row.iterations, generated,
                                  static_cast<std::size_t>(g), [](long long) {});
                         done.fetch_add(1);
                       }});
  workers.push_back({"reporter", [&] { report_polling(stats, generators, done, seen); }});
  run_row(row, workers, settings);
  settle(stats, generators, generated, seen, row);
}

// stats-condition: the reporter sleeps until kReportEvery more updates (or
// the end) and is woken by the generator that made them.
template <class Kind>
void measure_condition(Result& row, const Settings& settings) {
  const int generators = row.processes - 1;
  const Lock<Kind> lock;
  const Value<Stats, Kind> stats(kNoValues, lock);
  const Condition<Kind> updated(lock);
  const Generated generated(static_cast<std::size_t>(generators));
  const RawValue<int> done(0);  // under the lock
  const Seen seen;
  std::vector<Worker> workers;
  for (int g = 0; g < generators; ++g)
    workers.push_back({"generator " + std::to_string(g + 1), [&, g] {
                         generate(stats, settings.seed + static_cast<std::uint64_t>(g), row.iterations, generated,
                                  static_cast<std::size_t>(g), [&](long long count) {
                                    if (count % kReportEvery == 0) updated.notify_one();
                                  });
                         std::unique_lock section(updated);
                         done.store(done.load(std::memory_order_relaxed) + 1, std::memory_order_relaxed);  // relaxed: under the lock
                         updated.notify_one();
                       }});
  workers.push_back({"reporter", [&] {
                       const auto raw = stats.get_obj();
                       long long taken = 0, bad = 0, back = 0, last = 0;
                       WaitCost waits;
                       std::unique_lock section(updated);
                       for (;;) {
                         const bool finished = done.load(std::memory_order_relaxed) == generators;  // relaxed: under the lock
                         seen.snapshot(raw.load(), taken, bad, back, last);
                         if (finished) break;
                         const WaitTimer start;
                         updated.wait([&] {
                           return raw.load().count >= last + kReportEvery ||
                                  done.load(std::memory_order_relaxed) == generators;
                         });
                         start.add_to(waits);
                       }
                       seen.store(taken, bad, back, last, waits);
                     }});
  run_row(row, workers, settings);
  settle(stats, generators, generated, seen, row);
}

}  // namespace

std::vector<Job> stats_jobs(const Settings& s) {
  std::vector<Job> jobs;
  jobs.push_back({header("stats", Variant::raw, kNoLock, "d", s.processes, s.iterations),
                  [s](Result& row) { measure(RawValue<Stats>(kNoValues), row, s); }});
  for_each_kind([&]<class Kind>() {
    jobs.push_back({header("stats", Variant::synchronized, kind_name<Kind>(), "d", s.processes, s.iterations),
                    [s](Result& row) { measure(Value<Stats, Kind>(kNoValues), row, s); }});
  });
  return jobs;
}

std::vector<Job> stats_condition_jobs(const Settings& s) {
  std::vector<Job> jobs;
  for_each_kind([&]<class Kind>() {
    jobs.push_back({header("stats-condition", Variant::synchronized, kind_name<Kind>(), "d", s.processes, s.iterations),
                    [s](Result& row) { measure_condition<Kind>(row, s); }});
  });
  return jobs;
}

}  // namespace billiard::stress
