// A job: one row of the report, planned but not yet run. Scenarios plan their
// jobs (raw and atomic variants first, then one per lock kind); the harness
// runs the ones asked for.
#pragma once

#include <chrono>
#include <cstdint>
#include <functional>
#include <string>
#include <string_view>
#include <utility>

#include "result.hpp"
#include "workers.hpp"

namespace billiard::stress {

// How big one run of a scenario is, and how it is bounded.
struct Settings {
  int processes = 2;               // all of the scenario's processes, every role included
  long long iterations = 1;        // per process of the main role (see scenarios.hpp)
  char typecode = 'l';             // the counter-type scenarios' element type
  std::uint64_t seed = 1;          // the random values (stats)
  std::chrono::seconds bound{60};  // a worker still running then is killed and reported
  long long kills = 1000;          // owner-death: holders to kill
};

struct Job {
  Result row;                            // scenario, variant, lock, typecode, processes, iterations filled in
  std::function<void(Result&)> measure;  // runs the workers and fills in the rest
};

inline Result header(std::string_view scenario, Variant variant, std::string lock, std::string typecode, int processes,
                     long long iterations) {
  Result row;
  row.scenario = scenario;
  row.variant = variant;
  row.lock = std::move(lock);
  row.typecode = std::move(typecode);
  row.processes = processes;
  row.iterations = iterations;
  return row;
}

inline Result run(const Job& job) {
  Result row = job.row;
  job.measure(row);
  return row;
}

// Runs a row's workers and records how long they took and which failed.
// Raw and atomic rows spread their workers one per CPU: they are there to
// show what happens when processes truly run at once, and on a busy machine
// the scheduler may otherwise run them one after another, hiding the damage.
// Synchronized rows are placed by the scheduler, as users run them: pinned
// more than one per CPU, a FIFO lock waits for each next holder's CPU to come
// free, and TicketLock crawls (docs/stress.md).
inline void run_row(Result& row, const std::vector<Worker>& workers, const Settings& settings) {
  const Timing timing = run_workers(workers, settings.bound,
                                    row.variant == Variant::synchronized ? Placement::scheduler : Placement::spread);
  row.seconds = timing.seconds;
  row.failures = timing.failures;
}

}  // namespace billiard::stress
