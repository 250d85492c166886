// Barrier(parties): Python's threading.Barrier across processes
// (locks/barrier.hpp has the words, the protocol and what a killed process
// does). A handle: copies share the barrier, a fork'd child inherits it.
//   billiard::Barrier start(4);  ...  const std::size_t i = start.wait();
// wait() returns this arrival's index 0 .. parties-1 (a permutation per
// round). A wait_for time-out or abort() breaks the barrier: every waiter,
// then and later until reset(), throws billiard::broken_barrier, the timed-out
// one too. parties 0 (or over 2^32-1) is std::invalid_argument.
#pragma once

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <utility>

#include "billiard/locks/deadline.hpp"
#include "billiard/locks/barrier.hpp"
#include "billiard/shared_object.hpp"

namespace billiard {
namespace detail {
std::uint32_t checked_parties(std::size_t parties);  // std::invalid_argument naming it
}  // namespace detail

class Barrier {
 public:
  explicit Barrier(std::size_t parties) : object_(std::in_place, detail::checked_parties(parties)) {}
  // A handle on the BarrierState already built in block (a segment's object).
  Barrier(detail::SharedBlock block, detail::adopt_t) noexcept : object_(std::move(block), detail::adopt) {}

  std::size_t wait() const { return state().wait(nullptr); }
  template <class Rep, class Period>
  std::size_t wait_for(const std::chrono::duration<Rep, Period>& timeout) const {
    const timespec deadline = monotonic_deadline_after(timeout);
    return state().wait(&deadline);
  }
  template <class Clock, class Duration>
  std::size_t wait_until(const std::chrono::time_point<Clock, Duration>& t) const {
    const timespec deadline = monotonic_deadline_at(t);
    return state().wait(&deadline);
  }

  std::size_t parties() const noexcept { return state().parties(); }
  std::size_t n_waiting() const { return state().n_waiting(); }
  bool broken() const noexcept { return state().broken(); }
  void reset() const { state().reset(); }
  void abort() const { state().abort(); }

 private:
  BarrierState& state() const noexcept { return object_.state(); }

  detail::SharedObject<BarrierState> object_;
};

}  // namespace billiard
