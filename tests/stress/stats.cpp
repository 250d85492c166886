// stats: the seed's SharedStats (stats.hpp), forked generators and reporter,
// raw against every lock kind.
#include <string>
#include <vector>

#include "billiard/billiard.hpp"
#include "lock_kinds.hpp"
#include "scenarios.hpp"
#include "section.hpp"
#include "stats.hpp"

namespace billiard::stress {
namespace {

template <class Shared>
void measure(const Shared& stats, Result& row, const Settings& settings) {
  const int generators = row.processes - 1;
  const Generated generated(static_cast<std::size_t>(generators));
  const RawValue<int> done(0);
  const RawValue<long long> snapshots(0), inconsistent(0);
  std::vector<Worker> workers;
  for (int g = 0; g < generators; ++g)
    workers.push_back({"generator " + std::to_string(g + 1), [&, g] {
                         generate(stats, settings.seed + static_cast<std::uint64_t>(g), row.iterations, generated,
                                  static_cast<std::size_t>(g));
                         done.fetch_add(1);
                       }});
  workers.push_back({"reporter", [&] { report(stats, generators, done, snapshots, inconsistent); }});
  run_row(row, workers, settings);

  tally(row, stats, generators, generated, snapshots, inconsistent);
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

}  // namespace billiard::stress
