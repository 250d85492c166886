// The counting cases, one harness over every strategy in counters.hpp:
//   uncontended/<s>              one process, lock + increment + unlock in a loop
//   counter/<s>/procs:N          N forked processes, each kCounterIters increments
//   cs_sweep/<lock>/procs:N/work_ns:W  N = 2 or 4 processes, W ns of work inside each critical section
// Every case checks that the count is exactly what was asked for.
#include <algorithm>
#include <chrono>
#include <cstdint>
#include <string>
#include <vector>

#include "bench/cases.hpp"
#include "bench/counters.hpp"
#include "bench/harness.hpp"

namespace billiard::bench {
namespace {

// Per process. Long enough (tens of milliseconds) that the processes really
// overlap: a run shorter than a scheduler time slice can finish one process
// before the next one starts, and then nothing contends.
constexpr long kCounterIters = 1'000'000;
constexpr int kCounterProcs[] = {1, 2, 4, 8};

// The sweep runs at one process per core and at two per core; longer
// sections get fewer iterations so that each point takes about the same time.
constexpr int kSweepProcs[] = {2, 4};
struct SweepPoint {
  long work_ns;
  long iters;  // per process at 2 processes (the same total at 4)
};
constexpr SweepPoint kSweep[] = {{0, 1'000'000}, {100, 300'000}, {1000, 50'000}};

template <class S>
void uncontended(benchmark::State& state) {
  S counter;
  for (auto _ : state) counter.increment();
  check_count(state, "count", counter.count(), state.iterations());
}

// procs processes each run op(counter) iters times, released together; the
// case's time is the median wall time (release to last finish) of
// options().repeats runs, each on a fresh counter.
template <class S, class Op>
void forked_counter(benchmark::State& state, int procs, long iters, Op op) {
  const long total = procs * iters;
  for (auto _ : state) {
    std::vector<double> walls, cpus;
    for (int rep = 0; rep < options().repeats; ++rep) {
      S counter;
      const ForkRun run = run_forked(procs, [&](int) {
        for (long i = 0; i < iters; ++i) op(counter);
      });
      if (!run_ok(state, run, std::to_string(counter.count()) + " of " + std::to_string(total) + " ops"))
        return;
      if (!check_count(state, "count", counter.count(), total)) return;
      walls.push_back(static_cast<double>(run.wall_ns()));
      cpus.push_back(static_cast<double>(run.body_cpu_ns));
    }
    const double wall_ns = median(walls);
    state.SetIterationTime(wall_ns / 1e9);
    state.counters["ns_per_op"] = wall_ns / static_cast<double>(total);
    // CPU time of all processes per operation: what spinning costs.
    state.counters["cpu_ns_per_op"] = median(cpus) / static_cast<double>(total);
  }
  state.counters["procs"] = procs;
  state.counters["ops"] = static_cast<double>(total);
}

template <class S>
void register_uncontended() {
  benchmark::RegisterBenchmark(("uncontended/" + S::name()).c_str(), uncontended<S>)
      ->MinTime(std::max(0.01, 0.2 * options().scale))
      ->Repetitions(3)
      ->ReportAggregatesOnly(true);
}

template <class S>
void register_counter() {
  const long iters = scaled(kCounterIters);
  for (const int procs : kCounterProcs)
    forked(benchmark::RegisterBenchmark(
        ("counter/" + S::name() + "/procs:" + std::to_string(procs)).c_str(),
        [procs, iters](benchmark::State& state) {
          forked_counter<S>(state, procs, iters, [](S& counter) { counter.increment(); });
        }));
}

template <class L>
void register_sweep() {
  using S = LockedCounter<L>;
  for (const int procs : kSweepProcs)
    for (const SweepPoint& point : kSweep) {
      const long iters = scaled(point.iters * 2 / procs);
      const std::int64_t work_ns = point.work_ns;
      forked(benchmark::RegisterBenchmark(
          ("cs_sweep/" + S::name() + "/procs:" + std::to_string(procs) + "/work_ns:" + std::to_string(work_ns))
              .c_str(),
          [procs, iters, work_ns](benchmark::State& state) {
            forked_counter<S>(state, procs, iters,
                              [work_ns](S& counter) { counter.increment([work_ns] { busy_for(work_ns); }); });
          }));
    }
}

}  // namespace

void register_counter_cases() {
  for_each_type(LockKinds{}, []<class L>() { register_uncontended<LockedCounter<L>>(); });
  register_uncontended<AtomicFetchAdd>();
  register_uncontended<RawValueFetchAdd>();

  for_each_type(LockKinds{}, []<class L>() { register_counter<LockedCounter<L>>(); });
  register_counter<AtomicFetchAdd>();
  register_counter<RawValueFetchAdd>();

  for_each_type(LockKinds{}, []<class L>() { register_sweep<L>(); });
}

}  // namespace billiard::bench
