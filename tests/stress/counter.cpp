// counter: the seed's worker_with_shared_value (counter.hpp), by forked
// processes, raw against every lock kind.
#include <string>
#include <vector>

#include "billiard/billiard.hpp"
#include "counting.hpp"
#include "counter.hpp"
#include "lock_kinds.hpp"
#include "scenarios.hpp"
#include "section.hpp"

namespace billiard::stress {
namespace {

template <class Counter>
void measure(const Counter& counter, Result& row, const Settings& settings) {
  std::vector<Worker> workers;
  for (int p = 0; p < row.processes; ++p)
    workers.push_back({"incrementer " + std::to_string(p + 1), [&] { read_pause_write(counter, row.iterations); }});
  run_row(row, workers, settings);
  tally(row, counter);
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
