// Deadlines of the waiting types' timed forms, on the monotonic clock: a
// duration is added to steady_clock::now() once (rounded up, so a wait never
// ends before it), another clock's time point becomes a duration once, and a
// duration too long to add (hours::max()) means "no deadline in practice".
#pragma once

#include <time.h>

#include <chrono>
#include <type_traits>

#include "billiard/locks/futex.hpp"

namespace billiard::detail {

template <class Rep, class Period>
timespec deadline_after(const std::chrono::duration<Rep, Period>& timeout) {
  using std::chrono::steady_clock;
  const auto now = steady_clock::now();
  if (std::chrono::duration<double>(timeout) >= std::chrono::duration<double>(steady_clock::time_point::max() - now))
    return to_monotonic_timespec(steady_clock::time_point::max());
  return to_monotonic_timespec(now + std::chrono::ceil<steady_clock::duration>(timeout));
}

template <class Clock, class Duration>
timespec deadline_at(const std::chrono::time_point<Clock, Duration>& t) {
  if constexpr (std::is_same_v<Clock, std::chrono::steady_clock>)
    return to_monotonic_timespec(std::chrono::ceil<std::chrono::steady_clock::duration>(t));
  else
    return deadline_after(t - Clock::now());
}

}  // namespace billiard::detail
