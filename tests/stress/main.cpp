// tools/stress: every seed scenario, raw against synchronized, for every lock
// kind, with a report (docs/stress.md). Exit 0 when every synchronized and
// atomic row is exact; 1 when any is not, a worker hung or crashed, or the
// plot failed; 2 for a bad option.
#include <unistd.h>

#include <cerrno>
#include <chrono>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <optional>
#include <set>
#include <string>
#include <vector>

#include "billiard/typecode.hpp"
#include "harness.hpp"
#include "options.hpp"
#include "plot.hpp"
#include "report.hpp"
#include "scenarios.hpp"

namespace billiard::stress {
namespace {

constexpr int kExitFailed = 1;

// Opens path for writing now, so that a bad path fails before a long run.
std::ofstream open_output(const std::string& path, const char* option) {
  std::ofstream out(path, std::ios::binary | std::ios::trunc);
  if (!out) usage_error(std::string("cannot write ") + option + " '" + path + "': " + std::strerror(errno));
  return out;
}

// Counter-type rows count fewer increments where the typecode cannot hold the
// total exactly (a signed char holds 127): says so once per scenario.
void note_capped_iterations(const std::vector<Job>& jobs, const Request& request) {
  std::set<std::string> noted;
  for (const Job& job : jobs) {
    if (!scenario_named(job.row.scenario).typed) continue;  // only counter types cap: kill-anywhere counts kills
    const long long asked = request.iterations.value_or(scenario_named(job.row.scenario).default_iterations);
    const bool typed = scenario_named(job.row.scenario).typed;  // the others' iterations count no typecode
    if (typed && job.row.iterations < asked && noted.insert(job.row.scenario).second)
      std::cerr << "billiard stress: " << job.row.scenario << ": " << job.row.iterations
                << " increments per process, not " << asked << ": a " << parse_typecode(job.row.typecode[0]).name
                << " holds no larger total exactly\n";
  }
}

// Writes the JSON where --json asked (or to a temporary file) and draws it; empty on success.
std::string plot(const std::string& json, const Options& options, const std::filesystem::path& plotter) {
  if (!options.json_path.empty()) return draw(plotter, options.json_path, options.plot_path);
  const auto input = std::filesystem::temp_directory_path() / ("billiard-stress-" + std::to_string(getpid()) + ".json");
  std::ofstream(input) << json;
  const std::string error = draw(plotter, input, options.plot_path);
  std::filesystem::remove(input);
  return error;
}

int stress_main(int argc, char** argv) {
  const Options options = parse_options(argc, argv);
  if (options.list) {
    print_list(std::cout);
    return 0;
  }
  std::optional<std::ofstream> json_file;
  std::optional<std::filesystem::path> plotter;
  if (!options.json_path.empty()) json_file = open_output(options.json_path, "--json");
  if (!options.plot_path.empty()) {
    open_output(options.plot_path, "--plot");
    plotter = find_plotter();
    if (!plotter) usage_error("--plot: plot_stress.py is not among this binary's runfiles; run tools/stress");
    if (access(kPython, X_OK) != 0) usage_error(std::string("--plot needs ") + kPython + " with matplotlib");
  }

  const std::vector<Job> jobs = plan(options.request);
  note_capped_iterations(jobs, options.request);
  const auto started = std::chrono::steady_clock::now();
  const std::vector<Result> results = run_all(jobs, std::cerr);
  const std::chrono::duration<double> took = std::chrono::steady_clock::now() - started;
  print_table(std::cout, results);
  print_owner_death(std::cout, results);
  print_kill_anywhere(std::cout, results);
  print_deliveries(std::cout, results);
  print_summary(std::cout, results, took.count());

  int status = 0;
  for (const Result& r : results)
    if (r.failed()) {
      std::cerr << "billiard stress: FAILED: " << r.scenario << ' ' << to_string(r.variant) << ' ' << r.lock << ": "
                << describe_failure(r) << '\n';
      status = kExitFailed;
    }
  const std::string json = report_json(results, options.request.seed).dump(2) + "\n";
  if (json_file) {
    *json_file << json;
    json_file->close();
  }
  if (plotter) {
    if (const std::string error = plot(json, options, *plotter); !error.empty()) {
      std::cerr << "billiard stress: --plot: " << error << '\n';
      status = kExitFailed;
    }
  }
  return status;
}

}  // namespace
}  // namespace billiard::stress

int main(int argc, char** argv) { return billiard::stress::stress_main(argc, argv); }
