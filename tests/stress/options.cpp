#include "options.hpp"

#include <CLI/CLI.hpp>
#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <iostream>
#include <limits>
#include <optional>
#include <string>
#include <vector>

#include "counting.hpp"
#include "lock_kinds.hpp"
#include "scenarios.hpp"

namespace billiard::stress {
namespace {

std::string join(const std::vector<std::string>& names, const char* separator) {
  std::string text;
  for (const std::string& name : names) text += (text.empty() ? "" : separator) + name;
  return text;
}

std::vector<std::string> scenario_names() {
  std::vector<std::string> names;
  for (const Scenario& s : scenarios()) names.emplace_back(s.name);
  return names;
}

std::vector<std::string> lock_names() {
  std::vector<std::string> names = kind_names();
  names.emplace_back(kNoLock);
  return names;
}

std::vector<std::string> typecode_names() {
  std::vector<std::string> names;
  for (const char c : kCountingTypecodes) names.emplace_back(1, c);
  return names;
}

void require_known(const std::vector<std::string>& given, const std::vector<std::string>& known, const char* what) {
  for (const std::string& name : given)
    if (std::find(known.begin(), known.end(), name) == known.end())
      usage_error("unknown " + std::string(what) + " '" + name + "'; accepted: " + join(known, ", "));
}

char counting_typecode(const std::string& text) {
  const std::string accepted = "; accepted: " + join(typecode_names(), " ");
  if (text.size() != 1) usage_error("typecode '" + text + "' is not one character" + accepted);
  if (text[0] == 'c') usage_error("typecode 'c' is a character, not a number" + accepted);
  if (kCountingTypecodes.find(text[0]) == std::string_view::npos)
    usage_error("unknown typecode '" + text + "'" + accepted);
  return text[0];
}

// The option's value when it was given, after checking it lies in [low, high].
template <class N>
std::optional<N> in_range(const CLI::Option* option, N value, N low, N high) {
  if (option->count() == 0) return std::nullopt;
  if (value < low || value > high)
    usage_error(option->get_name() + " " + std::to_string(value) +
                " is out of range; accepted: " + std::to_string(low) + " to " + std::to_string(high));
  return value;
}

}  // namespace

void usage_error(const std::string& message) {
  std::cerr << "billiard stress: " << message << '\n';
  std::exit(kExitUsage);
}

Options parse_options(int argc, char** argv) {
  CLI::App app{
      "billiard stress: every seed scenario, raw against synchronized, for every lock kind.\n"
      "Raw losses are the finding; exit 1 only when a synchronized or atomic row is not exact\n"
      "(or a worker hung or crashed), 2 for a bad option. docs/stress.md has the details."};
  app.name("tools/stress");
  Options options;
  std::vector<std::string> scenarios_asked, locks_asked;
  std::string typecode = "l";
  int procs = 0, timeout = 60;
  long long iters = 0, seed = 1, kills = 0;
  app.add_option("--scenario", scenarios_asked, "run only these (repeatable): " + join(scenario_names(), ", "))
      ->type_name("NAME")
      ->delimiter(',');
  app.add_option("--lock", locks_asked, "run only these lock kinds (repeatable); none: the raw and atomic rows")
      ->type_name("KIND")
      ->delimiter(',');
  app.add_option("--typecode", typecode, "what counter and race count in: " + join(typecode_names(), " "))
      ->type_name("C")
      ->capture_default_str();
  const CLI::Option* procs_option =
      app.add_option("--procs", procs, "processes per run, every role included (default: per scenario)")
          ->type_name("N");
  const CLI::Option* iters_option =
      app.add_option("--iters", iters, "iterations per process of the main role (default: per scenario)")
          ->type_name("N");
  const CLI::Option* seed_option =
      app.add_option("--seed", seed, "seed of the random values")->type_name("N")->capture_default_str();
  const CLI::Option* timeout_option =
      app.add_option("--timeout", timeout, "seconds one run may take before its workers are killed")
          ->type_name("S")
          ->capture_default_str();
  const CLI::Option* kills_option =
      app.add_option("--kills", kills, "owner-death: holders of its RobustLock and SeqLock to kill; kill-anywhere: kills per kind (default 1000)")
          ->type_name("N");
  app.add_option("--json", options.json_path, "write the report as JSON")->type_name("FILE");
  app.add_option("--plot", options.plot_path, "draw lost updates and ns/op as a PNG")->type_name("FILE");
  app.add_flag("--list", options.list, "list the scenarios, lock kinds and typecodes");
  try {
    app.parse(argc, argv);
  } catch (const CLI::CallForHelp& e) {
    std::exit(app.exit(e));
  } catch (const CLI::ParseError& e) {
    usage_error(std::string(e.what()) + " (see --help)");
  }

  require_known(scenarios_asked, scenario_names(), "scenario");
  require_known(locks_asked, lock_names(), "lock");
  Request& request = options.request;
  request.scenarios = scenarios_asked;
  request.locks = locks_asked;
  request.typecode = counting_typecode(typecode);
  request.processes = in_range(procs_option, procs, 2, 256);
  request.iterations = in_range(iters_option, iters, 1LL, 1'000'000'000LL);
  request.seed = static_cast<std::uint64_t>(
      in_range(seed_option, seed, 0LL, std::numeric_limits<long long>::max()).value_or(seed));
  request.kills = in_range(kills_option, kills, 1LL, 1'000'000LL);
  request.bound = std::chrono::seconds(in_range(timeout_option, timeout, 1, 3600).value_or(timeout));
  return options;
}

void print_list(std::ostream& out) {
  out << "scenarios (--scenario):\n";
  for (const Scenario& s : scenarios()) {
    char line[256];
    std::snprintf(line, sizeof line, "  %-16s %s\n  %-16s default %d processes, %lld %s%s\n",
                  std::string(s.name).c_str(), std::string(s.shows).c_str(), "", s.default_processes,
                  s.default_iterations, std::string(s.unit).c_str(), s.typed ? ", takes --typecode" : "");
    out << line;
  }
  out << "locks (--lock): " << join(lock_names(), ", ") << "\n"
      << "  none: the raw and atomic variants, which take no lock\n"
      << "typecodes (--typecode): " << join(typecode_names(), " ") << " (default l)\n";
}

}  // namespace billiard::stress
