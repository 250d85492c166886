// The calling thread's CPU time, for what waiting costs a consumer: a process
// asleep in the kernel burns none, one that polls burns it all.
#pragma once

#include <time.h>

namespace billiard::stress {

inline long long thread_cpu_ns() noexcept {
  timespec t{};
  clock_gettime(CLOCK_THREAD_CPUTIME_ID, &t);
  return static_cast<long long>(t.tv_sec) * 1'000'000'000 + t.tv_nsec;
}

}  // namespace billiard::stress
