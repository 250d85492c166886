// stats: the seed's SharedStats. Generators fold random values into one
// shared {count, sum, min, max}; a reporter takes snapshots and checks each
// is consistent. The values are 1 + 1024 r for a random integer r in
// [-100, 100], so in every consistent snapshot sum - count is a multiple of
// 1024 (all exact in a double), min <= sum / count <= max and min <= max.
// Raw, an update read and written back by two generators at once loses one,
// and a snapshot copied during an update mixes two states. At the end count,
// sum, min and max must equal what the generators generated.
// stats: the reporter polls, snapshotting as fast as it can (the seed's
// sleeps and re-reads). stats-condition: it sleeps on a Condition of the
// stats' lock and generators wake it every kReportEvery updates and when
// done. Both report DeliveryFigures: updates made and seen, snapshots out of
// order (a count going back), and the reporter's CPU time while waiting
// (polling: all of it).
#include <algorithm>
#include <cmath>
#include <limits>
#include <mutex>
#include <random>
#include <string>
#include <vector>

#include "billiard/billiard.hpp"
#include "cpu_time.hpp"
#include "lock_kinds.hpp"
#include "scenarios.hpp"
#include "section.hpp"

namespace billiard::stress {
namespace {

struct Stats {
  long long count;
  double sum, min, max;
};
constexpr Stats kNoValues{0, 0.0, std::numeric_limits<double>::infinity(), -std::numeric_limits<double>::infinity()};

constexpr long long kStep = 1024;  // values are 1 + kStep * r
constexpr int kSpread = 100;       // r in [-kSpread, kSpread], as the seed's uniform(-100, 100)
constexpr long long kReportEvery = 1000;  // stats-condition: updates between two wake-ups of the reporter

bool consistent(const Stats& s) {
  if (s.count == 0) return s.sum == 0 && s.min == kNoValues.min && s.max == kNoValues.max;
  if (s.count < 0 || !(s.min <= s.max)) return false;
  const double mean = s.sum / static_cast<double>(s.count);
  return std::fmod(s.sum - static_cast<double>(s.count), static_cast<double>(kStep)) == 0 && s.min <= mean &&
         mean <= s.max;
}

// What each generator generated: it keeps sum, min and max in its own memory
// and reports them here when it ends, for the final check.
struct Generated {
  RawArray<long long> sum, min, max;  // per generator
  explicit Generated(std::size_t generators) : sum(generators), min(generators), max(generators) {}
};

// after_update(count) runs with the lock held, after each update.
template <class Shared, class AfterUpdate>
void generate(const Shared& stats, std::uint64_t seed, long long updates, const Generated& generated, std::size_t g,
              AfterUpdate after_update) {
  std::mt19937_64 random(seed);
  std::uniform_int_distribution<long long> spread(-kSpread, kSpread);
  long long sum = 0, min = std::numeric_limits<long long>::max(), max = std::numeric_limits<long long>::min();
  const auto raw = storage(stats);
  for (long long i = 0; i < updates; ++i) {
    const long long value = 1 + kStep * spread(random);
    sum += value;
    min = std::min(min, value);
    max = std::max(max, value);
    const auto section = hold(stats);
    Stats s = raw.load();  // a 32-byte RawValue: a plain copy, as ctypes raw memory
    s.count += 1;
    s.sum += static_cast<double>(value);
    s.min = std::min(s.min, static_cast<double>(value));
    s.max = std::max(s.max, static_cast<double>(value));
    raw.store(s);
    after_update(s.count);
  }
  generated.sum.store(g, sum);
  generated.min.store(g, min);
  generated.max.store(g, max);
}

// What the reporter saw, for the parent after join.
struct Seen {
  RawValue<long long> snapshots{0}, inconsistent{0}, backwards{0}, last_count{0}, wait_cpu_ns{0};

  // Checks one snapshot against the previous one.
  void snapshot(const Stats& s, long long& taken, long long& bad, long long& back, long long& last) const {
    ++taken;
    bad += !consistent(s);
    back += s.count < last;
    last = s.count;
  }
  void store(long long taken, long long bad, long long back, long long last, long long wait_ns) const {
    snapshots.store(taken);
    inconsistent.store(bad);
    backwards.store(back);
    last_count.store(last);
    wait_cpu_ns.store(wait_ns);
  }
};

// Snapshots until every generator is done (one more after that), counting
// inconsistent ones. It never waits for anything: all its CPU is polling.
template <class Shared>
void report(const Shared& stats, int generators, const RawValue<int>& done, const Seen& seen) {
  const long long start = thread_cpu_ns();
  long long taken = 0, bad = 0, back = 0, last = 0;
  for (bool finished = false; !finished;) {
    finished = done.load() == generators;
    seen.snapshot(stats.load(), taken, bad, back, last);  // raw: a plain copy; synchronized: under the lock
  }
  seen.store(taken, bad, back, last, thread_cpu_ns() - start);
}

// The row's figures, once every worker has ended.
template <class Shared>
void settle(const Shared& stats, int generators, const Generated& generated, const Seen& seen, Result& row) {
  const Stats ended = storage(stats).load();
  const auto sums = generated.sum.to_vector(), mins = generated.min.to_vector(), maxes = generated.max.to_vector();
  long long sum = 0;
  for (const long long s : sums) sum += s;
  row.expected = generators * row.iterations;
  row.observed = ended.count;
  row.violations = seen.inconsistent.load() + seen.backwards.load() + (ended.sum != static_cast<double>(sum)) +
                   (ended.min != static_cast<double>(*std::min_element(mins.begin(), mins.end()))) +
                   (ended.max != static_cast<double>(*std::max_element(maxes.begin(), maxes.end())));
  row.checks = seen.snapshots.load() + 3;  // and sum, min and max at the end
  row.operations = row.expected;
  row.delivery = DeliveryFigures{row.expected, seen.last_count.load(), 0, seen.backwards.load(),
                                 static_cast<double>(seen.wait_cpu_ns.load()) / 1e6};
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
  workers.push_back({"reporter", [&] { report(stats, generators, done, seen); }});
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
                       long long taken = 0, bad = 0, back = 0, last = 0, wait_ns = 0;
                       std::unique_lock section(updated);
                       for (;;) {
                         const bool finished = done.load(std::memory_order_relaxed) == generators;  // relaxed: under the lock
                         seen.snapshot(raw.load(), taken, bad, back, last);
                         if (finished) break;
                         const long long start = thread_cpu_ns();
                         updated.wait([&] {
                           return raw.load().count >= last + kReportEvery ||
                                  done.load(std::memory_order_relaxed) == generators;
                         });
                         wait_ns += thread_cpu_ns() - start;
                       }
                       seen.store(taken, bad, back, last, wait_ns);
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
