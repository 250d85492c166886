#include "workers.hpp"

#include <sched.h>

#include <algorithm>
#include <cstdint>
#include <thread>

#include "billiard/billiard.hpp"

namespace billiard::stress {
namespace {

std::int64_t now_ns() {
  // steady_clock is CLOCK_MONOTONIC: one clock for every process on the machine.
  return std::chrono::duration_cast<std::chrono::nanoseconds>(std::chrono::steady_clock::now().time_since_epoch())
      .count();
}

// The CPUs this process may run on, in order.
std::vector<int> allowed_cpus() {
  cpu_set_t set;
  std::vector<int> cpus;
  if (sched_getaffinity(0, sizeof set, &set) == 0)
    for (int cpu = 0; cpu < CPU_SETSIZE; ++cpu)
      if (CPU_ISSET(cpu, &set)) cpus.push_back(cpu);
  return cpus;
}

// Keeps the calling process on one CPU. Best effort: where the kernel refuses,
// the worker runs wherever the scheduler puts it, and the run is still valid.
void pin_to(int cpu) noexcept {
  cpu_set_t set;
  CPU_ZERO(&set);
  CPU_SET(cpu, &set);
  sched_setaffinity(0, sizeof set, &set);
}

std::string why_failed(Process& process) {
  const int code = process.exitcode().value_or(0);
  if (code < 0) return process.name() + " was killed by signal " + std::to_string(-code);
  return process.name() + " exited with code " + std::to_string(code);
}

}  // namespace

Timing run_workers(const std::vector<Worker>& workers, std::chrono::seconds bound, Placement placement) {
  const std::size_t n = workers.size();
  const RawValue<int> ready(0);           // workers waiting for the start signal
  const RawValue<int> go(0);              // the start signal
  const RawArray<std::int64_t> ended(n);  // when each body returned (now_ns)

  const std::vector<int> cpus = placement == Placement::spread ? allowed_cpus() : std::vector<int>{};
  std::vector<Process> processes;
  processes.reserve(n);
  for (std::size_t i = 0; i < n; ++i) {
    processes.emplace_back([&, i] {
      if (!cpus.empty()) pin_to(cpus[i % cpus.size()]);
      ready.fetch_add(1);
      while (go.load() == 0) std::this_thread::yield();  // more workers than cores: let them all start
      workers[i].body();
      ended.store(i, now_ns());
    });
    processes.back().set_name(workers[i].role);
  }
  for (Process& p : processes) p.start();

  const auto deadline = std::chrono::steady_clock::now() + bound;
  while (ready.load() < static_cast<int>(n) && std::chrono::steady_clock::now() < deadline)
    std::this_thread::sleep_for(std::chrono::microseconds(100));
  const std::int64_t started = now_ns();
  go.store(1);

  Timing timing;
  for (Process& p : processes) {
    const auto left = std::max(deadline - std::chrono::steady_clock::now(), std::chrono::steady_clock::duration{});
    if (!p.join(left)) {
      p.kill();
      p.join();
      timing.failures.push_back(p.name() + " did not finish within " + std::to_string(bound.count()) + " s (killed)");
    } else if (p.exitcode() != 0) {
      timing.failures.push_back(why_failed(p));
    }
  }
  const auto last = ended.to_vector();
  timing.seconds = static_cast<double>(*std::max_element(last.begin(), last.end()) - started) / 1e9;
  if (!timing.failures.empty()) timing.seconds = static_cast<double>(now_ns() - started) / 1e9;
  return timing;
}

}  // namespace billiard::stress
