// The one place a wait's deadline is computed: now + timeout on the monotonic
// clock, saturated. A timeout longer than steady_clock can count (292 years of
// nanoseconds) waits until time_point::max(), which is forever in practice;
// a zero, negative or NaN timeout is "now" (try once). Neither the conversion
// to nanoseconds nor the addition can overflow, whatever the duration type.
// Every timed wait in billiard (TimedLockable, Process::join, the waiting
// types' timed forms) goes through here.
#pragma once

#include <time.h>

#include <chrono>

#include "billiard/locks/futex.hpp"

namespace billiard {

template <class Rep, class Period>
std::chrono::steady_clock::time_point deadline_after(std::chrono::steady_clock::time_point now,
                                                     const std::chrono::duration<Rep, Period>& timeout) {
  using Clock = std::chrono::steady_clock;
  // Compared in long double seconds: exact enough for any integer count, and
  // it cannot overflow (converting hours to nanoseconds first could).
  using Seconds = std::chrono::duration<long double>;
  const Seconds wait = std::chrono::duration_cast<Seconds>(timeout);
  if (!(wait > Seconds::zero())) return now;  // also NaN
  const Seconds room = Clock::time_point::max() - now;
  // One second short of the end: the comparison is inexact near 2^63 ns, and
  // a wait that long ends at max() either way.
  if (wait >= room - Seconds(1)) return Clock::time_point::max();
  return now + std::chrono::ceil<Clock::duration>(timeout);
}

// Until `deadline` on another clock, as a steady_clock deadline: the time left
// is read once, so a later jump of that clock does not move the wait.
template <class Clock, class Duration>
std::chrono::steady_clock::time_point deadline_at(const std::chrono::time_point<Clock, Duration>& deadline) {
  using Seconds = std::chrono::duration<long double>;
  const auto now = Clock::now();
  const auto steady_now = std::chrono::steady_clock::now();
  // long double: deadline - now in Duration's own type overflows for time_point::min() or max().
  const Seconds left = std::chrono::duration_cast<Seconds>(deadline.time_since_epoch()) -
                       std::chrono::duration_cast<Seconds>(now.time_since_epoch());
  return deadline_after(steady_now, left);
}

// The same deadlines as a futex wait takes them: absolute CLOCK_MONOTONIC.
template <class Rep, class Period>
timespec monotonic_deadline_after(const std::chrono::duration<Rep, Period>& timeout) {
  return to_monotonic_timespec(deadline_after(std::chrono::steady_clock::now(), timeout));
}
template <class Clock, class Duration>
timespec monotonic_deadline_at(const std::chrono::time_point<Clock, Duration>& deadline) {
  return to_monotonic_timespec(deadline_at(deadline));
}

}  // namespace billiard
