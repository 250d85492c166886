// Semaphore(n) and BoundedSemaphore(n): Python's threading semaphores across
// processes (locks/semaphore.hpp has the words, the protocol and what a
// killed process does: a dead holder's permit is lost). Handles: copies share
// the semaphore, a fork'd child inherits it.
//   billiard::Semaphore slots(3);  slots.acquire(); ... slots.release();
// Counts: 0 .. 2^31-1. A negative or larger n, or release(k) with k < 1,
// throws std::invalid_argument naming the value; release past the bound
// throws std::system_error EOVERFLOW and changes nothing (BoundedSemaphore:
// the initial value; Semaphore: 2^31-1).
#pragma once

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <stdexcept>
#include <string>
#include <utility>

#include "billiard/locks/deadline.hpp"
#include "billiard/locks/semaphore.hpp"
#include "billiard/shared_object.hpp"

namespace billiard {
namespace detail {

// n as a permit count, or std::invalid_argument "billiard::<what>: <name> <n> is ...".
std::uint32_t checked_permits(long long n, long long least, const char* what, const char* name);

template <bool kBounded>
class BasicSemaphore {
 public:
  static constexpr const char* kKind = kBounded ? "BoundedSemaphore" : "Semaphore";

  explicit BasicSemaphore(long long n = 1)
      : object_(std::in_place, checked_permits(n, 0, kKind, "initial value"), kBounded) {}
  // A handle on the SemaphoreState already built in block (a segment's object).
  BasicSemaphore(SharedBlock block, adopt_t) noexcept : object_(std::move(block), adopt) {}

  void acquire() const noexcept { (void)state().acquire(nullptr); }
  bool try_acquire() const noexcept { return state().try_acquire(); }
  template <class Rep, class Period>
  bool try_acquire_for(const std::chrono::duration<Rep, Period>& timeout) const {
    const timespec deadline = monotonic_deadline_after(timeout);
    return state().acquire(&deadline);
  }
  template <class Clock, class Duration>
  bool try_acquire_until(const std::chrono::time_point<Clock, Duration>& t) const {
    const timespec deadline = monotonic_deadline_at(t);
    return state().acquire(&deadline);
  }
  void release(long long k = 1) const { state().release(checked_permits(k, 1, kKind, "release count"), kKind); }

  std::size_t value() const noexcept { return state().value(); }

 private:
  SemaphoreState& state() const noexcept { return object_.state(); }

  SharedObject<SemaphoreState> object_;
};

}  // namespace detail

using Semaphore = detail::BasicSemaphore<false>;
using BoundedSemaphore = detail::BasicSemaphore<true>;

}  // namespace billiard
