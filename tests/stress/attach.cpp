// attach: the seed's counter and stats scenarios again, but every worker is a
// program of its own (attach_worker, started by Process::spawn) that finds the
// shared objects by a segment's name: no fork, nothing inherited. Raw against
// synchronized for every lock kind, as the forked scenarios; plus an
// owner-death row: a spawned worker SIGKILLed holding a segment's RobustLock,
// again and again, and each next locker (this process) must be told.
#include <signal.h>
#include <unistd.h>

#include <chrono>
#include <cstdint>
#include <filesystem>
#include <string>
#include <thread>
#include <type_traits>
#include <utility>
#include <vector>

#include "billiard/billiard.hpp"
#include "counter.hpp"
#include "lock_kinds.hpp"
#include "percentile.hpp"
#include "scenarios.hpp"
#include "stats.hpp"

namespace billiard::stress {
namespace {

using Clock = std::chrono::steady_clock;
constexpr std::size_t kSegmentBytes = 1 << 20;
constexpr long long kMaxKills = 200;  // each is a program start: a few ms

// attach_worker sits beside this program (both in tests/stress/).
std::string worker_program() {
  return (std::filesystem::read_symlink("/proc/self/exe").parent_path() / "attach_worker").string();
}

// A remove_when_unused segment of its own per row: gone once the row's
// processes (this one last) have let go of it.
Segment row_segment() {
  static int rows = 0;
  return Segment::create("stress." + std::to_string(getpid()) + ".attach." + std::to_string(rows++), kSegmentBytes,
                         remove_when_unused);
}

struct Spawned {
  std::string role;
  std::vector<std::string> argv;
};

std::vector<std::string> worker_argv(const Segment& seg, const std::string& role, const std::string& lock,
                                     long long iterations, std::size_t index, std::uint64_t seed, int generators) {
  return {worker_program(), seg.name(), role,
          lock,             std::to_string(iterations), std::to_string(index),
          std::to_string(seed), std::to_string(generators)};
}

// Starts the programs, lets them go at once when all are attached, and joins
// each by the bound (killing and reporting the ones still running).
void run_spawned(Result& row, const Segment& seg, const std::vector<Spawned>& workers, std::chrono::seconds bound) {
  const auto ready = seg.find_or_create<RawValue<int>>("ready");
  const auto go = seg.find_or_create<RawValue<int>>("go");
  seg.find_or_create<RawValue<int>>("done");
  std::vector<Process> processes;
  for (const Spawned& w : workers) {
    processes.push_back(Process::spawn(w.argv));
    processes.back().set_name(w.role);
  }
  const auto deadline = Clock::now() + bound;
  for (Process& p : processes) p.start();
  auto all_ended = [&] {
    for (Process& p : processes)
      if (p.is_alive()) return false;
    return true;
  };
  while (ready.load() < static_cast<int>(workers.size()) && Clock::now() < deadline && !all_ended())
    std::this_thread::sleep_for(std::chrono::microseconds(100));
  const auto started = Clock::now();
  go.store(1);
  for (Process& p : processes) {
    const auto left = std::max(deadline - Clock::now(), Clock::duration::zero());
    if (!p.join(left)) {
      p.kill();
      p.join();
      row.failures.push_back(p.name() + " did not finish within " + std::to_string(bound.count()) + " s (killed)");
    } else if (p.exitcode() != 0) {
      const int code = *p.exitcode();
      row.failures.push_back(p.name() + (code < 0 ? " was killed by signal " + std::to_string(-code)
                                                  : " exited with code " + std::to_string(code)));
    }
  }
  row.seconds = std::chrono::duration<double>(Clock::now() - started).count();
}

template <class Kind>
void counter_row(Result& row, const Settings& s) {
  using Counter = std::conditional_t<std::is_void_v<Kind>, RawValue<long>, Value<long, Kind>>;
  const Segment seg = row_segment();
  const auto counter = seg.find_or_create<Counter>("counter");
  std::vector<Spawned> workers;
  for (int p = 0; p < row.processes; ++p)
    workers.push_back({"incrementer " + std::to_string(p + 1),
                       worker_argv(seg, "counter", row.lock, row.iterations, static_cast<std::size_t>(p), 0, 0)});
  run_spawned(row, seg, workers, s.bound);
  tally(row, counter);
}

template <class Kind>
void stats_row(Result& row, const Settings& s) {
  using Shared = std::conditional_t<std::is_void_v<Kind>, RawValue<Stats>, Value<Stats, Kind>>;
  const int generators = row.processes - 1;
  const auto n = static_cast<std::size_t>(generators);
  const Segment seg = row_segment();
  const auto stats = seg.find_or_create<Shared>("stats", kNoValues);
  const Generated generated(seg.find_or_create<RawArray<long long>>("sum", n),
                            seg.find_or_create<RawArray<long long>>("min", n),
                            seg.find_or_create<RawArray<long long>>("max", n));
  const auto snapshots = seg.find_or_create<RawValue<long long>>("snapshots");
  const auto inconsistent = seg.find_or_create<RawValue<long long>>("inconsistent");
  std::vector<Spawned> workers;
  for (int g = 0; g < generators; ++g)
    workers.push_back({"generator " + std::to_string(g + 1),
                       worker_argv(seg, "generator", row.lock, row.iterations, static_cast<std::size_t>(g),
                                   s.seed + static_cast<std::uint64_t>(g), generators)});
  workers.push_back({"reporter", worker_argv(seg, "reporter", row.lock, row.iterations, 0, 0, generators)});
  run_spawned(row, seg, workers, s.bound);
  tally(row, stats, generators, generated, snapshots, inconsistent);
}

// Spawns a holder, waits until it holds the lock, SIGKILLs it, and locks:
// owner_died must come, every time.
void owner_death_row(Result& row, const Settings& s) {
  const Segment seg = row_segment();
  const auto m = seg.find_or_create<Lock<RobustLock>>("m");
  const auto held = seg.find_or_create<RawValue<int>>("held");
  DeathFigures deaths;
  std::vector<std::int64_t> recovery_ns;
  const auto started = Clock::now();
  for (long long k = 0; k < row.iterations; ++k) {
    held.store(0);
    Process holder = Process::spawn(worker_argv(seg, "holder", "RobustLock", 0, 0, 0, 0));
    holder.start();
    const auto deadline = Clock::now() + s.bound;
    while (held.load() == 0 && holder.is_alive() && Clock::now() < deadline)
      std::this_thread::sleep_for(std::chrono::microseconds(50));
    if (held.load() == 0) {
      ++deaths.hangs;
      row.failures.push_back("holder " + std::to_string(k + 1) + " never took the lock");
      holder.kill();
      holder.join();
      break;
    }
    const auto killed = Clock::now();
    holder.kill();
    holder.join();
    ++deaths.kills;
    try {
      if (!m.try_lock_for(s.bound)) {
        ++deaths.hangs;
        row.failures.push_back("the lock stayed taken after holder " + std::to_string(k + 1) + " was killed");
        break;
      }
    } catch (const owner_died&) {
      ++deaths.reported;
      recovery_ns.push_back(std::chrono::duration_cast<std::chrono::nanoseconds>(Clock::now() - killed).count());
    }
    m.unlock();
  }
  row.seconds = std::chrono::duration<double>(Clock::now() - started).count();
  deaths.recovery_p50_us = percentile_us(recovery_ns, 0.50);
  deaths.recovery_p99_us = percentile_us(recovery_ns, 0.99);
  row.expected = row.iterations;
  row.observed = deaths.reported;
  row.checks = deaths.kills;
  row.violations = deaths.kills - deaths.reported;
  row.operations = deaths.kills;
  row.deaths = deaths;
}

// Plans one row for the raw variant (Kind void) or a lock kind.
template <class Kind>
void plan(std::vector<Job>& jobs, const Settings& s) {
  const Variant variant = std::is_void_v<Kind> ? Variant::raw : Variant::synchronized;
  std::string lock = kNoLock;
  if constexpr (!std::is_void_v<Kind>) lock = kind_name<Kind>();
  jobs.push_back({header("attach", variant, lock, "l", s.processes, s.iterations),
                  [s](Result& row) { counter_row<Kind>(row, s); }});
  jobs.push_back({header("attach", variant, lock, "d", s.processes, s.iterations),
                  [s](Result& row) { stats_row<Kind>(row, s); }});
}

}  // namespace

// Rows: counter (typecode l) and stats (d), raw then every kind; then owner-death ("kill").
std::vector<Job> attach_jobs(const Settings& s) {
  std::vector<Job> jobs;
  plan<void>(jobs, s);
  for_each_kind([&]<class Kind>() { plan<Kind>(jobs, s); });
  jobs.push_back({header("attach", Variant::synchronized, kind_name<RobustLock>(), "kill", 1,
                         std::min(s.kills, kMaxKills)),
                  [s](Result& row) { owner_death_row(row, s); }});
  return jobs;
}

}  // namespace billiard::stress
