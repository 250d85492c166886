// What waiting costs a consumer: the CPU time it burns (a process asleep in
// the kernel burns none, one that polls burns it all) beside the wall time
// it spends waiting.
#pragma once

#include <time.h>

#include "billiard/raw_value.hpp"
#include "result.hpp"

namespace billiard::stress {

inline long long clock_ns(clockid_t clock) noexcept {
  timespec t{};
  clock_gettime(clock, &t);
  return static_cast<long long>(t.tv_sec) * 1'000'000'000 + t.tv_nsec;
}

inline long long thread_cpu_ns() noexcept { return clock_ns(CLOCK_THREAD_CPUTIME_ID); }

// A wait this long means the other side had nothing for us: the ring stayed
// empty through a producer's pause (circular-buffer's kGap is 1 ms), not for
// the next item of a burst (a few microseconds).
inline constexpr long long kIdleWaitNs = 100'000;

// CPU and wall time summed over waits, and over the idle ones (kIdleWaitNs or longer) alone.
struct WaitCost {
  long long cpu_ns = 0;
  long long wall_ns = 0;
  long long idle_cpu_ns = 0;
  long long idle_wall_ns = 0;
};

// One wait, from its construction to add_to().
class WaitTimer {
 public:
  WaitTimer() noexcept : cpu_ns_(thread_cpu_ns()), wall_ns_(clock_ns(CLOCK_MONOTONIC)) {}
  void add_to(WaitCost& cost) const noexcept {
    const long long cpu = thread_cpu_ns() - cpu_ns_, wall = clock_ns(CLOCK_MONOTONIC) - wall_ns_;
    cost.cpu_ns += cpu;
    cost.wall_ns += wall;
    if (wall >= kIdleWaitNs) {
      cost.idle_cpu_ns += cpu;
      cost.idle_wall_ns += wall;
    }
  }

 private:
  long long cpu_ns_, wall_ns_;
};

// WaitCosts summed across processes (consumers add theirs at their end).
struct SharedWaitCost {
  RawValue<long long> cpu_ns{0}, wall_ns{0}, idle_cpu_ns{0}, idle_wall_ns{0};

  void add(const WaitCost& cost) const noexcept {
    // relaxed, all: sums read by the parent after it has reaped every worker
    cpu_ns.fetch_add(cost.cpu_ns, std::memory_order_relaxed);
    wall_ns.fetch_add(cost.wall_ns, std::memory_order_relaxed);
    idle_cpu_ns.fetch_add(cost.idle_cpu_ns, std::memory_order_relaxed);
    idle_wall_ns.fetch_add(cost.idle_wall_ns, std::memory_order_relaxed);
  }
  // Into a row's figures, in milliseconds.
  void report(DeliveryFigures& figures) const {
    figures.wait_cpu_ms = static_cast<double>(cpu_ns.load()) / 1e6;
    figures.wait_ms = static_cast<double>(wall_ns.load()) / 1e6;
    figures.idle_wait_cpu_ms = static_cast<double>(idle_cpu_ns.load()) / 1e6;
    figures.idle_wait_ms = static_cast<double>(idle_wall_ns.load()) / 1e6;
  }
};

}  // namespace billiard::stress
