// TimedLockable<Kind>: the standard try_lock_for / try_lock_until for every
// kind, written once. A kind provides try_lock_until(steady_clock::time_point).
// Deadlines are on the monotonic clock: a wall-clock jump neither shortens nor
// stretches a wait. Another clock's time point is turned into a duration once.
// Deadlines saturate (deadline.hpp): try_lock_for(hours(24 * 365 * 300)) and
// try_lock_until(time_point::max()) wait as long as it takes, never overflow.
#pragma once

#include <chrono>
#include <type_traits>

#include "billiard/locks/deadline.hpp"

namespace billiard {

template <class Kind>
class TimedLockable {
 public:
  template <class Rep, class Period>
  bool try_lock_for(const std::chrono::duration<Rep, Period>& timeout) {
    return kind().try_lock_until(deadline_after(std::chrono::steady_clock::now(), timeout));
  }

  template <class Clock, class Duration>
    requires(!std::is_same_v<Clock, std::chrono::steady_clock>)
  bool try_lock_until(const std::chrono::time_point<Clock, Duration>& deadline) {
    return kind().try_lock_until(deadline_at(deadline));
  }

 private:
  Kind& kind() noexcept { return static_cast<Kind&>(*this); }
};

}  // namespace billiard
