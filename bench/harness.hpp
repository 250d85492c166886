// The benchmark harness: what every case in bench/ shares.
//
// Multi-process cases fork real processes (billiard::Process), never threads.
// run_forked() releases them together (they spin on one shared flag) and
// times each from that release to the end of its body on CLOCK_MONOTONIC,
// which every process reads alike. A case that is not done by
// --bench_cap_s seconds is stopped (SIGKILL) and reported as "did not
// finish", never left to hang. Every case checks that its count is exact;
// a wrong count is a failure and makes the binary exit non-zero.
#pragma once

#include <benchmark/benchmark.h>

#include <algorithm>
#include <chrono>
#include <cstddef>
#include <cstdint>
#include <functional>
#include <new>
#include <string>
#include <vector>

#include "billiard/atomic/cache_line.hpp"

namespace billiard::bench {

// Command-line options of lock_bench (see lock_bench.cpp).
struct Options {
  double scale = 1.0;                     // --bench_scale: multiplies every operation count
  std::chrono::seconds cap{10};           // --bench_cap_s: a multi-process run longer than this is stopped
  int repeats = 5;                        // --bench_repeats: runs per multi-process case; the median is reported
  char alloc_typecode = 'i';              // --bench_alloc_typecode: RawValue<T> that the arena case creates
  std::chrono::seconds quiet_wait{0};     // --bench_quiet_s: wait up to this long for an idle machine before each run
};
const Options& options() noexcept;
void set_options(const Options& options) noexcept;

// count * --bench_scale, at least 1.
long scaled(long count) noexcept;

// A count check failed: reports it on the case and makes main() return 1.
void fail(benchmark::State& state, const std::string& what);
// True (and the case is failed) unless got == want.
bool check_count(benchmark::State& state, const char* what, long long got, long long want);
// Number of failures so far.
int failures() noexcept;

// steady_clock (CLOCK_MONOTONIC) in nanoseconds: comparable between processes.
inline std::int64_t now_ns() noexcept {
  return std::chrono::duration_cast<std::chrono::nanoseconds>(
             std::chrono::steady_clock::now().time_since_epoch())
      .count();
}

// A zero-filled MAP_SHARED | MAP_ANONYMOUS mapping (std::bad_alloc if none), and its removal.
void* map_shared(std::size_t bytes);
void unmap_shared(void* memory, std::size_t bytes) noexcept;

// A T constructed in a MAP_SHARED | MAP_ANONYMOUS mapping of its own: every
// process forked after construction sees (and writes) the same object. It is
// never destroyed (a pthread or Boost mutex in it may have been left locked
// by a child stopped at the cap); the mapping is simply removed.
template <class T>
class SharedPage {
 public:
  SharedPage() : memory_(map_shared(sizeof(T))), object_(::new (memory_) T()) {}
  SharedPage(const SharedPage&) = delete;
  SharedPage& operator=(const SharedPage&) = delete;
  ~SharedPage() { unmap_shared(memory_, sizeof(T)); }

  T& operator*() const noexcept { return *object_; }
  T* operator->() const noexcept { return object_; }

 private:
  void* memory_;
  T* object_;
};

inline constexpr int kMaxProcs = 8;

// What run_forked() saw.
struct ForkRun {
  bool finished = false;                 // false: stopped at the cap
  std::vector<std::int64_t> elapsed_ns;  // per process: release -> body returned
  std::int64_t body_cpu_ns = 0;          // CPU time the bodies used, all processes
  std::string failure;                   // a child that exited non-zero, or empty

  std::int64_t wall_ns() const { return *std::max_element(elapsed_ns.begin(), elapsed_ns.end()); }
};

// On a machine that other work shares, waits (at most --bench_quiet_s) for a
// moment when it is idle: at least 90% of all CPU time idle over 200 ms.
// Returns false (and counts it) if none came. Called before every run.
bool wait_for_quiet();
// Runs that started without a quiet moment (--bench_quiet_s > 0 only).
int noisy_runs() noexcept;

// Waits for quiet, then forks procs processes (at most kMaxProcs); each waits
// for the common release, runs body(index) and records when it returned.
// Joins every one by the cap, killing the rest.
ForkRun run_forked(int procs, const std::function<void(int)>& body);

// Marks a registered multi-process case: one iteration, timed by the case.
inline benchmark::internal::Benchmark* forked(benchmark::internal::Benchmark* b) {
  return b->Iterations(1)->UseManualTime()->Unit(benchmark::kMillisecond);
}

// Reports a run that did not finish or failed on state. Returns true if the
// run finished cleanly. what_if_stopped says how far it got, for the report.
bool run_ok(benchmark::State& state, const ForkRun& run, const std::string& what_if_stopped);

// The median of xs (xs is reordered).
double median(std::vector<double>& xs);
// The q-quantile (0..1) of sorted xs, nearest rank.
double quantile(const std::vector<std::int64_t>& sorted, double q);

// Busy work inside or between critical sections: spins for ns nanoseconds
// of wall time (none for 0). Timed rather than counted, so that it lasts as
// long on a core whose hyperthread sibling is busy as on an idle one.
inline void busy_for(std::int64_t ns) noexcept {
  if (ns <= 0) return;
  const std::int64_t until = now_ns() + ns;
  while (now_ns() < until) {
  }
}

}  // namespace billiard::bench
