// What waiting costs a consumer, two ways:
//   WaitTimer / SharedWaitCost: per wait, the CPU time the consumer burns (a
//     process asleep in the kernel burns none, one that polls burns it all)
//     beside the wall time it spends waiting;
//   IdleMeter: while the producers sleep (the ring or queue drained, nothing
//     to wait for but them), every consumer's CPU time, read from outside
//     (clock_getcpuclockid), beside the wall time of those sleeps.
#pragma once

#include <time.h>
#include <unistd.h>

#include <chrono>
#include <cstddef>
#include <thread>

#include "billiard/raw_array.hpp"
#include "billiard/raw_value.hpp"
#include "result.hpp"

namespace billiard::stress {

inline long long to_ns(const timespec& t) noexcept { return static_cast<long long>(t.tv_sec) * 1'000'000'000 + t.tv_nsec; }

inline long long clock_ns(clockid_t clock) noexcept {
  timespec t{};
  clock_gettime(clock, &t);
  return to_ns(t);
}

inline long long thread_cpu_ns() noexcept { return clock_ns(CLOCK_THREAD_CPUTIME_ID); }

// CPU and wall time summed over waits.
struct WaitCost {
  long long cpu_ns = 0;
  long long wall_ns = 0;
};

// One wait, from its construction to add_to().
class WaitTimer {
 public:
  WaitTimer() noexcept : cpu_ns_(thread_cpu_ns()), wall_ns_(clock_ns(CLOCK_MONOTONIC)) {}
  void add_to(WaitCost& cost) const noexcept {
    cost.cpu_ns += thread_cpu_ns() - cpu_ns_;
    cost.wall_ns += clock_ns(CLOCK_MONOTONIC) - wall_ns_;
  }

 private:
  long long cpu_ns_, wall_ns_;
};

// WaitCosts summed across processes (consumers add theirs at their end).
struct SharedWaitCost {
  RawValue<long long> cpu_ns{0}, wall_ns{0};

  void add(const WaitCost& cost) const noexcept {
    // relaxed, both: sums read by the parent after it has reaped every worker
    cpu_ns.fetch_add(cost.cpu_ns, std::memory_order_relaxed);
    wall_ns.fetch_add(cost.wall_ns, std::memory_order_relaxed);
  }
  // Into a row's figures, in milliseconds.
  void report(DeliveryFigures& figures) const {
    figures.wait_cpu_ms = static_cast<double>(cpu_ns.load()) / 1e6;
    figures.wait_ms = static_cast<double>(wall_ns.load()) / 1e6;
  }
};

// The consumers' CPU time while the producers sleep. Consumers enlist() at
// their start; a producer calls idle(gap) instead of sleeping (with several
// producers, one of them, while all sleep).
class IdleMeter {
 public:
  explicit IdleMeter(int consumers) : pids_(static_cast<std::size_t>(consumers)) {}

  void enlist(int consumer) const {
    pids_.store(static_cast<std::size_t>(consumer), static_cast<int>(::getpid()), std::memory_order_relaxed);  // relaxed: a late one is only not measured
  }

  // Sleeps for gap, adding what the consumers burned meanwhile.
  void idle(std::chrono::nanoseconds gap) const {
    // The wall window encloses every CPU clock's window (the reads take a system call each).
    long long before[kMaxConsumers], after[kMaxConsumers];
    const std::size_t n = consumers();
    const long long start = clock_ns(CLOCK_MONOTONIC);
    for (std::size_t c = 0; c < n; ++c) before[c] = cpu_ns(c);
    std::this_thread::sleep_for(gap);
    for (std::size_t c = 0; c < n; ++c) after[c] = cpu_ns(c);
    const long long window = clock_ns(CLOCK_MONOTONIC) - start;
    for (std::size_t c = 0; c < n; ++c) {
      if (before[c] < 0 || after[c] < 0) continue;  // not started yet, or ended
      // relaxed, both: sums read by the parent after it has reaped every worker
      cpu_ns_.fetch_add(after[c] - before[c], std::memory_order_relaxed);
      wall_ns_.fetch_add(window, std::memory_order_relaxed);
    }
  }

  // Into a row's figures, in milliseconds: the idle CPU over the idle wall time, per consumer summed.
  void report(DeliveryFigures& figures) const {
    figures.idle_wait_cpu_ms = static_cast<double>(cpu_ns_.load()) / 1e6;
    figures.idle_wait_ms = static_cast<double>(wall_ns_.load()) / 1e6;
  }

 private:
  static constexpr std::size_t kMaxConsumers = 64;

  std::size_t consumers() const noexcept { return pids_.size() < kMaxConsumers ? pids_.size() : kMaxConsumers; }

  // Consumer c's process CPU time, -1 when it has not enlisted or is gone.
  long long cpu_ns(std::size_t c) const noexcept {
    const int pid = pids_.load(c, std::memory_order_relaxed);  // relaxed: see enlist
    clockid_t clock{};
    timespec t{};
    if (pid == 0 || clock_getcpuclockid(pid, &clock) != 0 || clock_gettime(clock, &t) != 0) return -1;
    return to_ns(t);
  }

  RawArray<int> pids_;
  RawValue<long long> cpu_ns_{0}, wall_ns_{0};
};

}  // namespace billiard::stress
