// Backoff: how every lock in locks/ spins, in one place.
//
// Round r pauses the CPU 2^r times, so waiters that keep losing touch the
// contended line less and less often. spin() says when spinning has stopped
// paying: a lock that can sleep then sleeps on its futex. snooze() is for
// SpinLock, which never sleeps: past the last round it yields the core, so a
// descheduled holder can run when processes outnumber cores.
#pragma once

#include <sched.h>

namespace billiard {

inline void cpu_relax() noexcept {
#if defined(__x86_64__) || defined(__i386__)
  __builtin_ia32_pause();
#elif defined(__aarch64__)
  asm volatile("yield" ::: "memory");
#endif
}

class Backoff {
 public:
  // 2^0 + ... + 2^8 = 511 pauses (about 5 us where a pause takes 10 ns) before
  // a waiter sleeps. Picked by bench/lock_bench.cpp (contended counter and
  // hand-off latency; docs/performance.md, "Spin budget"): at 6 a hand-off
  // after a 2 us hold took a futex wake (15 us p50), at 8 it took 0.6 us.
  // Change both together.
  static constexpr unsigned kMaxRound = 8;

  // Pauses for this round; false once the last round is spent.
  bool spin() noexcept {
    if (round_ > kMaxRound) return false;
    for (unsigned i = 0; i < (1u << round_); ++i) cpu_relax();
    ++round_;
    return true;
  }

  // Pauses like spin(), then yields the core on every call after the last round.
  void snooze() noexcept {
    if (!spin()) sched_yield();
  }

 private:
  unsigned round_ = 0;
};

}  // namespace billiard
