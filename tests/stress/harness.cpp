#include "harness.hpp"

#include <algorithm>
#include <cstdio>
#include <iomanip>
#include <ostream>

#include "lock_kinds.hpp"
#include "scenarios.hpp"

namespace billiard::stress {
namespace {

bool wanted(const std::vector<std::string>& asked, const std::string& name) {
  return asked.empty() || std::find(asked.begin(), asked.end(), name) != asked.end();
}

}  // namespace

std::vector<Job> plan(const Request& request) {
  std::vector<Job> jobs;
  for (const Scenario& scenario : scenarios()) {
    if (!wanted(request.scenarios, std::string(scenario.name))) continue;
    Settings settings;
    settings.processes = request.processes.value_or(scenario.default_processes);
    settings.iterations = request.iterations.value_or(scenario.default_iterations);
    settings.typecode = request.typecode;
    settings.seed = request.seed;
    settings.bound = request.bound;
    settings.kills = request.kills.value_or(settings.kills);
    for (Job& job : scenario.jobs(settings))
      if (wanted(request.locks, job.row.lock)) jobs.push_back(std::move(job));
  }
  return jobs;
}

std::vector<Result> run_all(const std::vector<Job>& jobs, std::ostream& progress) {
  std::vector<Result> results;
  const int width = static_cast<int>(std::to_string(jobs.size()).size());
  for (std::size_t i = 0; i < jobs.size(); ++i) {
    const Result& row = jobs[i].row;
    progress << '[' << std::setw(width) << i + 1 << '/' << jobs.size() << "] " << row.scenario << ' '
             << to_string(row.variant) << ' ' << row.lock << " ... " << std::flush;
    results.push_back(run(jobs[i]));
    char seconds[32];
    std::snprintf(seconds, sizeof seconds, "%.2f s", results.back().seconds);
    progress << seconds << (results.back().failed() ? "  FAILED" : "") << std::endl;
  }
  return results;
}

}  // namespace billiard::stress
