// counter: the seed's worker_with_shared_value. Each process reads the
// counter, pauses (the seed sleeps), and writes back what it read plus one.
// Raw, every increment that another process overlapped is lost; under any
// lock, none is.
#include <string>
#include <vector>

#include "billiard/billiard.hpp"
#include "counting.hpp"
#include "lock_kinds.hpp"
#include "pause.hpp"
#include "scenarios.hpp"
#include "section.hpp"

namespace billiard::stress {
namespace {

template <class Counter>
void read_pause_write(const Counter& counter, long long iterations) {
  using T = typename Counter::value_type;
  const auto raw = storage(counter);
  for (long long i = 0; i < iterations; ++i) {
    const auto section = hold(counter);
    // relaxed: under a lock, the lock orders these; without one, no order would save the update
    const T old = raw.load(std::memory_order_relaxed);
    pause();  // the seed sleeps here, between its read and its write
    raw.store(static_cast<T>(old + 1), std::memory_order_relaxed);
  }
}

template <class Counter>
void measure(const Counter& counter, Result& row, const Settings& settings) {
  std::vector<Worker> workers;
  for (int p = 0; p < row.processes; ++p)
    workers.push_back({"incrementer " + std::to_string(p + 1), [&] { read_pause_write(counter, row.iterations); }});
  run_row(row, workers, settings);
  row.expected = row.processes * row.iterations;
  row.observed = static_cast<long long>(storage(counter).load());
  row.operations = row.expected;
}

}  // namespace

std::vector<Job> counter_jobs(const Settings& s) {
  return with_typecode(s.typecode, [&]<class T>() {
    const long long iterations = exact_iterations<T>(s.processes, s.iterations);
    const std::string typecode(1, s.typecode);
    std::vector<Job> jobs;
    jobs.push_back({header("counter", Variant::raw, kNoLock, typecode, s.processes, iterations),
                    [s](Result& row) { measure(RawValue<T>(), row, s); }});
    for_each_kind([&]<class Kind>() {
      jobs.push_back({header("counter", Variant::synchronized, kind_name<Kind>(), typecode, s.processes, iterations),
                      [s](Result& row) { measure(Value<T, Kind>(), row, s); }});
    });
    return jobs;
  });
}

}  // namespace billiard::stress
