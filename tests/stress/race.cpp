// race: the plainest increment, three ways. Raw, a load and then a store of
// one more: two processes that load the same value both store the same
// successor, and one increment is gone. Atomic, fetch_add: one indivisible
// read-modify-write, nothing lost, no lock. Synchronized: the raw code under
// the lock, nothing lost.
#include <string>
#include <vector>

#include "billiard/billiard.hpp"
#include "counting.hpp"
#include "lock_kinds.hpp"
#include "scenarios.hpp"
#include "section.hpp"

namespace billiard::stress {
namespace {

template <class Counter>
void load_store_increments(const Counter& counter, long long iterations) {
  using T = typename Counter::value_type;
  const auto raw = storage(counter);
  for (long long i = 0; i < iterations; ++i) {
    const auto section = hold(counter);
    // relaxed: under a lock, the lock orders these; without one, no order would save the update
    raw.store(static_cast<T>(raw.load(std::memory_order_relaxed) + 1), std::memory_order_relaxed);
  }
}

template <class T>
void fetch_add_increments(const RawValue<T>& counter, long long iterations) {
  // relaxed: read-modify-writes of one value never lose each other, whatever their order
  for (long long i = 0; i < iterations; ++i) counter.fetch_add(T{1}, std::memory_order_relaxed);
}

template <class Counter, class Increments>
void measure(const Counter& counter, Increments increments, Result& row, const Settings& settings) {
  std::vector<Worker> workers;
  for (int p = 0; p < row.processes; ++p)
    workers.push_back({"incrementer " + std::to_string(p + 1), [&] { increments(counter, row.iterations); }});
  run_row(row, workers, settings);
  row.expected = row.processes * row.iterations;
  row.observed = static_cast<long long>(storage(counter).load());
  row.operations = row.expected;
}

}  // namespace

std::vector<Job> race_jobs(const Settings& s) {
  return with_typecode(s.typecode, [&]<class T>() {
    const long long iterations = exact_iterations<T>(s.processes, s.iterations);
    const std::string typecode(1, s.typecode);
    const auto plain = [](const auto& counter, long long n) { load_store_increments(counter, n); };
    std::vector<Job> jobs;
    jobs.push_back({header("race", Variant::raw, kNoLock, typecode, s.processes, iterations),
                    [=](Result& row) { measure(RawValue<T>(), plain, row, s); }});
    jobs.push_back({header("race", Variant::atomic, kNoLock, typecode, s.processes, iterations),
                    [=](Result& row) { measure(RawValue<T>(), fetch_add_increments<T>, row, s); }});
    for_each_kind([&]<class Kind>() {
      jobs.push_back({header("race", Variant::synchronized, kind_name<Kind>(), typecode, s.processes, iterations),
                      [=](Result& row) { measure(Value<T, Kind>(), plain, row, s); }});
    });
    return jobs;
  });
}

}  // namespace billiard::stress
