// TimedLockable<Kind>: the standard try_lock_for / try_lock_until for every
// kind, written once. A kind provides try_lock_until(steady_clock::time_point).
// Deadlines are on the monotonic clock: a wall-clock jump neither shortens nor
// stretches a wait. Another clock's time point is turned into a duration once.
#pragma once

#include <chrono>
#include <type_traits>

namespace billiard {

template <class Kind>
class TimedLockable {
 public:
  template <class Rep, class Period>
  bool try_lock_for(const std::chrono::duration<Rep, Period>& timeout) {
    using std::chrono::steady_clock;
    return kind().try_lock_until(steady_clock::now() +
                                 std::chrono::ceil<steady_clock::duration>(timeout));
  }

  template <class Clock, class Duration>
    requires(!std::is_same_v<Clock, std::chrono::steady_clock>)
  bool try_lock_until(const std::chrono::time_point<Clock, Duration>& deadline) {
    return try_lock_for(deadline - Clock::now());
  }

 private:
  Kind& kind() noexcept { return static_cast<Kind&>(*this); }
};

}  // namespace billiard
