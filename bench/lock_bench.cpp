// lock_bench: billiard's lock kinds side by side with glibc, POSIX
// semaphores, Boost.Interprocess and Concurrency Kit, in one run.
// tools/bench runs it and turns its JSON into docs/performance.md's table and
// plots; Google Benchmark's own flags (--benchmark_filter=...) work as usual.
// Exits 1 if any case's count was not exact.
#include <CLI/CLI.hpp>
#include <benchmark/benchmark.h>

#include <exception>
#include <iostream>
#include <string>
#include <vector>

#include "bench/cases.hpp"
#include "bench/harness.hpp"
#include "billiard/atomic/backoff.hpp"
#include "billiard/typecode.hpp"

int main(int argc, char** argv) {
  using namespace billiard::bench;
  Options options;
  long cap_s = options.cap.count();
  std::string typecode(1, options.alloc_typecode);
  CLI::App app{"billiard lock benchmarks (Google Benchmark's --benchmark_* flags pass through)"};
  app.allow_extras();
  app.add_option("--bench_scale", options.scale, "multiply every operation count (small for smoke tests)")
      ->check(CLI::PositiveNumber);
  app.add_option("--bench_cap_s", cap_s, "stop a multi-process run after this many seconds")
      ->check(CLI::PositiveNumber);
  app.add_option("--bench_repeats", options.repeats, "runs of each counter case; the median is reported")
      ->check(CLI::PositiveNumber);
  app.add_option("--bench_alloc_typecode", typecode, "typecode of the RawValue the arena case creates");
  long quiet_s = 0;
  app.add_option("--bench_quiet_s", quiet_s,
                 "before each run, wait up to this long for an idle machine (for machines shared with other work)")
      ->check(CLI::NonNegativeNumber);
  CLI11_PARSE(app, argc, argv);
  try {
    if (typecode.size() != 1) throw std::invalid_argument("--bench_alloc_typecode takes one character");
    options.alloc_typecode = billiard::parse_typecode(typecode[0]).code;
  } catch (const std::invalid_argument& e) {
    std::cerr << e.what() << "\n";
    return 2;
  }
  options.cap = std::chrono::seconds(cap_s);
  options.quiet_wait = std::chrono::seconds(quiet_s);
  set_options(options);

  // Google Benchmark sees argv[0] and whatever CLI11 did not take.
  std::vector<std::string> rest = app.remaining();
  std::vector<char*> args{argv[0]};
  for (std::string& arg : rest) args.push_back(arg.data());
  int count = static_cast<int>(args.size());
  benchmark::Initialize(&count, args.data());
  if (benchmark::ReportUnrecognizedArguments(count, args.data())) return 2;

  benchmark::AddCustomContext("bench_scale", std::to_string(options.scale));
  benchmark::AddCustomContext("bench_cap_s", std::to_string(cap_s));
  benchmark::AddCustomContext("bench_repeats", std::to_string(options.repeats));
  benchmark::AddCustomContext("bench_quiet_s", std::to_string(quiet_s));
  benchmark::AddCustomContext("backoff_max_round", std::to_string(billiard::Backoff::kMaxRound));
  register_counter_cases();
  register_handoff_cases();
  register_value_cases();
  register_wait_cases();
  register_wake_cases();
  register_segment_cases();
  benchmark::RunSpecifiedBenchmarks();
  benchmark::Shutdown();
  if (noisy_runs() != 0)
    std::cerr << "lock_bench: " << noisy_runs() << " run(s) started while the machine was busy with other work\n";
  if (failures() != 0) {
    std::cerr << "lock_bench: " << failures() << " case(s) counted wrong\n";
    return 1;
  }
  return 0;
}
