// The harness: which jobs a request asks for, and running them with
// progress on stderr.
#pragma once

#include <chrono>
#include <cstdint>
#include <iosfwd>
#include <optional>
#include <string>
#include <vector>

#include "job.hpp"
#include "result.hpp"

namespace billiard::stress {

struct Request {
  std::vector<std::string> scenarios;   // names; empty: every scenario
  std::vector<std::string> locks;       // kind names and kNoLock; empty: all of them
  std::optional<int> processes;         // empty: each scenario's default
  std::optional<long long> iterations;  // empty: each scenario's default
  char typecode = 'l';
  std::uint64_t seed = 1;
  std::chrono::seconds bound{60};
  std::optional<long long> kills;  // owner-death; empty: its default
};

// The jobs of every requested scenario whose lock is requested, in report
// order. Names must be valid (see main.cpp): an unknown one matches nothing.
std::vector<Job> plan(const Request& request);

// Runs every job, writing "[3/58] race synchronized FutexLock ... 0.41 s" lines to progress.
std::vector<Result> run_all(const std::vector<Job>& jobs, std::ostream& progress);

}  // namespace billiard::stress
