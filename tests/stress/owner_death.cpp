// owner-death: the chaos scenario. Workers take a RobustLock (and, as its
// writer lock is robust, a SeqLock) and update a
// record whose fields must agree, marking the update in progress while they
// write; the parent SIGKILLs workers at random points, inside and outside the
// critical section, and starts a replacement each time. Every death of a
// holder must be reported to the next locker (owner_died), which repairs the
// record and goes on; no committed update may be lost; nothing may hang.
//
// How a kill is classified: the parent stops the victim (SIGSTOP, and waits
// until it has stopped), reads the lock word, then kills it: the victim held
// the lock iff the word's owner is its tid. A holder is killed only once the
// previous holder's death has been reported: a process that dies while taking
// over from a dead holder, before it is told, is covered by the same single
// report (the kernel marks the word once; tests/model/robust_lock.pml), and
// the count "kills = reported" is kept exact by not making such double deaths.
//
// Every other lock kind (no owner-death report) gets one dead holder and `iterations` timed waits
// behind it: try_lock_for must return false by its deadline; the report gives
// how far past the deadline each returned (the overshoot).
#include <signal.h>
#include <sys/wait.h>

#include <algorithm>
#include <chrono>
#include <cstdint>
#include <random>
#include <string>
#include <thread>
#include <type_traits>
#include <vector>

#include "billiard/billiard.hpp"
#include "lock_kinds.hpp"
#include "pause.hpp"
#include "percentile.hpp"
#include "scenarios.hpp"

namespace billiard::stress {
namespace {

using Clock = std::chrono::steady_clock;

std::int64_t now_ns() {
  return std::chrono::duration_cast<std::chrono::nanoseconds>(Clock::now().time_since_epoch()).count();
}

struct Record {
  std::int64_t in_progress;  // 1 while an update is half-written
  std::int64_t version;      // the commit point: updates committed so far
  std::int64_t a, b;         // == version whenever no update is in progress
};

// Everything the workers and the parent share.
template <class Kind>
struct Chaos {
  explicit Chaos(long long kills) : recovery_ns(static_cast<std::size_t>(kills)) {}

  Value<Record, Kind> record{Record{}};
  RawValue<int> stop;
  RawValue<long long> reported;      // owner_died caught by a survivor
  RawValue<long long> confirmed;     // highest version a worker saw committed (its unlock returned)
  RawValue<long long> inconsistent;  // records found broken after lock() (and any repair)
  RawValue<std::int64_t> killed_at;  // now_ns() of the last holder's kill
  RawArray<std::int64_t> recovery_ns;  // per report: from the kill to the survivor's owner_died
};

// The record after its last holder died: roll an update in progress back to
// the last commit (version is written last, so a == b == version is whole).
void repair(Record& r) {
  r.a = r.version;
  r.b = r.version;
  r.in_progress = 0;
}

template <class Kind>
void worker(const Chaos<Kind>& chaos, std::uint64_t seed) {
  std::minstd_rand rng(static_cast<std::uint_fast32_t>(seed));
  Kind& lock = chaos.record.get_lock();
  Record& r = *chaos.record.get_obj().data();
  while (chaos.stop.load(std::memory_order_relaxed) == 0) {  // relaxed: a flag checked again next round
    try {
      lock.lock();
    } catch (const owner_died&) {
      const long long n = chaos.reported.fetch_add(1);
      if (n < static_cast<long long>(chaos.recovery_ns.size()))
        chaos.recovery_ns.store(static_cast<std::size_t>(n), now_ns() - chaos.killed_at.load());
      repair(r);
    }
    if (r.in_progress != 0 || r.a != r.version || r.b != r.version) chaos.inconsistent.fetch_add(1);
    r.in_progress = 1;
    r.a = r.version + 1;
    pause();  // a kill often lands here, between the two halves
    r.b = r.version + 1;
    const long long committed = ++r.version;
    r.in_progress = 0;
    lock.unlock();
    long long seen = chaos.confirmed.load();
    while (seen < committed && !chaos.confirmed.compare_exchange_weak(seen, committed)) {
    }
    for (unsigned spins = rng() % 64; spins > 0; --spins) cpu_relax();  // outside the lock
  }
}

// Stops pid and waits until it has stopped: its lock word no longer changes.
bool stop_process(pid_t pid) {
  if (::kill(pid, SIGSTOP) != 0) return false;
  int status = 0;
  pid_t r;
  do r = waitpid(pid, &status, WUNTRACED);
  while (r < 0 && errno == EINTR);
  return r == pid && WIFSTOPPED(status);
}

// Waits until reported reaches target or the bound passes; false on the bound.
template <class Kind>
bool wait_reported(const Chaos<Kind>& chaos, long long target, Clock::time_point bound) {
  while (chaos.reported.load() < target) {
    if (Clock::now() >= bound) return false;
    std::this_thread::sleep_for(std::chrono::microseconds(20));
  }
  return true;
}

template <class Kind>
void run_chaos(Result& row, const Settings& s) {
  const long long target = s.kills;
  Chaos<Kind> chaos(target);
  std::mt19937_64 rng(s.seed);
  std::uint64_t next_seed = s.seed;
  const auto spawn = [&] {
    Process p(worker<Kind>, std::cref(chaos), ++next_seed);
    p.set_name("owner-death worker");
    p.start();
    return p;
  };
  std::vector<Process> workers;
  for (int i = 0; i < s.processes; ++i) workers.push_back(spawn());

  DeathFigures deaths;
  const auto started = Clock::now();
  while (deaths.kills < target) {
    // A holder is killed only after the last one's death was reported (see the top).
    if (!wait_reported(chaos, deaths.kills, Clock::now() + s.bound)) {
      ++deaths.hangs;
      row.failures.push_back("nobody took the lock within " + std::to_string(s.bound.count()) + " s of kill " +
                             std::to_string(deaths.kills));
      break;
    }
    std::this_thread::sleep_for(std::chrono::microseconds(rng() % 200));
    Process& victim = workers[rng() % workers.size()];
    const pid_t pid = victim.pid();
    if (!stop_process(pid)) continue;
    const bool holds = chaos.record.get_lock().owner() == static_cast<std::uint32_t>(pid);
    if (holds && chaos.reported.load() < deaths.kills) {
      ::kill(pid, SIGCONT);  // it is taking over from the last dead holder: not now
      continue;
    }
    if (holds) chaos.killed_at.store(now_ns());
    victim.kill();
    victim.join();
    ++(holds ? deaths.kills : deaths.kills_outside);
    victim = spawn();
  }
  if (row.failures.empty() && !wait_reported(chaos, deaths.kills, Clock::now() + s.bound)) {
    ++deaths.hangs;
    row.failures.push_back("the last death was not reported within " + std::to_string(s.bound.count()) + " s");
  }
  chaos.stop.store(1);
  for (Process& w : workers)
    if (!w.join(s.bound)) {
      w.kill();
      w.join();
      ++deaths.hangs;
      row.failures.push_back("a worker did not stop within " + std::to_string(s.bound.count()) + " s (killed)");
    }
  row.seconds = std::chrono::duration<double>(Clock::now() - started).count();

  deaths.reported = chaos.reported.load();
  std::vector<std::int64_t> recovery = chaos.recovery_ns.to_vector();
  recovery.resize(static_cast<std::size_t>(std::min(deaths.reported, target)));
  deaths.recovery_p50_us = percentile_us(recovery, 0.50);
  deaths.recovery_p99_us = percentile_us(recovery, 0.99);
  const Record last = chaos.record.load();
  row.observed = last.version;
  row.expected = std::max<long long>(last.version, chaos.confirmed.load());  // lost: confirmed commits missing
  row.operations = last.version;
  row.checks = deaths.kills;
  row.violations = chaos.inconsistent.load() + std::abs(deaths.reported - deaths.kills) +
                   (last.in_progress != 0 || last.a != last.version || last.b != last.version);
  row.deaths = deaths;
}

// The timed waits behind a dead holder, for a kind with no owner-death report.
template <class Kind>
void run_overshoot(Result& row) {
  constexpr auto kTimeout = std::chrono::milliseconds(2);
  Lock<Kind> lock;
  RawValue<int> holding;
  Process holder([&] {
    lock.lock();
    holding.store(1);
    std::this_thread::sleep_for(std::chrono::hours(1));
  });
  holder.set_name("holder");
  holder.start();
  while (holding.load() == 0) std::this_thread::yield();
  holder.kill();
  holder.join();

  std::vector<std::int64_t> overshoot_ns;
  const auto started = Clock::now();
  for (long long i = 0; i < row.iterations; ++i) {
    const auto t0 = Clock::now();
    bool took;
    try {
      took = lock.try_lock_for(kTimeout);
    } catch (const std::exception& e) {
      row.failures.push_back(std::string("try_lock_for threw: ") + e.what());
      break;
    }
    const auto waited = Clock::now() - t0;
    if (took) {
      ++row.violations;  // a dead holder's lock handed out: no kind may do that
      break;
    }
    if (waited < kTimeout) ++row.violations;  // returned before its deadline
    overshoot_ns.push_back(std::chrono::duration_cast<std::chrono::nanoseconds>(waited - kTimeout).count());
  }
  row.seconds = std::chrono::duration<double>(Clock::now() - started).count();
  row.expected = row.iterations;
  row.observed = static_cast<long long>(overshoot_ns.size());
  row.checks = row.observed;
  row.overshoot = OvershootFigures{static_cast<double>(kTimeout.count()) * 1e3, percentile_us(overshoot_ns, 0.50),
                                   percentile_us(overshoot_ns, 0.99), percentile_us(overshoot_ns, 1.0)};
}

}  // namespace

std::vector<Job> owner_death_jobs(const Settings& s) {
  std::vector<Job> jobs;
  for_each_kind([&]<class Kind>() {
    Result row = header("owner-death", Variant::synchronized, kind_name<Kind>(), "4q", s.processes, s.iterations);
    if constexpr (std::is_same_v<Kind, RobustLock> || std::is_same_v<Kind, SeqLock>) {
      row.iterations = s.kills;
      jobs.push_back({row, [=](Result& r) { run_chaos<Kind>(r, s); }});
    } else {
      row.processes = 2;  // the dead holder and the waiter
      jobs.push_back({row, [](Result& r) { run_overshoot<Kind>(r); }});
    }
  });
  return jobs;
}

}  // namespace billiard::stress
