// Event: Python's threading.Event across processes (locks/event.hpp has the
// word, the protocol and what a killed process does). A handle: copies share
// the event, a fork'd child inherits it.
//   billiard::Event ready;  ...  ready.set();   // elsewhere: ready.wait();
#pragma once

#include <chrono>
#include <utility>

#include "billiard/locks/deadline.hpp"
#include "billiard/locks/event.hpp"
#include "billiard/shared_object.hpp"

namespace billiard {

class Event {
 public:
  Event() : object_(std::in_place) {}
  // A handle on the EventState already built in block (a segment's object).
  Event(detail::SharedBlock block, detail::adopt_t) noexcept : object_(std::move(block), detail::adopt) {}

  void set() const noexcept { state().set(); }
  void clear() const noexcept { state().clear(); }
  bool is_set() const noexcept { return state().is_set(); }

  void wait() const noexcept { (void)state().wait(nullptr); }
  // false: the deadline passed and the event was not set meanwhile.
  template <class Rep, class Period>
  bool wait_for(const std::chrono::duration<Rep, Period>& timeout) const {
    const timespec deadline = monotonic_deadline_after(timeout);
    return state().wait(&deadline);
  }
  template <class Clock, class Duration>
  bool wait_until(const std::chrono::time_point<Clock, Duration>& t) const {
    const timespec deadline = monotonic_deadline_at(t);
    return state().wait(&deadline);
  }

 private:
  EventState& state() const noexcept { return object_.state(); }

  detail::SharedObject<EventState> object_;
};

}  // namespace billiard
