// Condition<L>: Python's threading.Condition across processes, over a lock
// of any kind L (locks/condition.hpp has the protocol, what notify wakes and
// what a killed process does). A handle: copies share the condition, a fork'd
// child inherits it.
//
//   billiard::Condition<> cv;                 // owns a new FutexLock
//   billiard::Condition<billiard::TicketLock> fair(lock);  // shares a Lock<TicketLock>
//   { std::unique_lock g(cv); cv.wait([&] { return ready.load() != 0; }); }
//   { std::unique_lock g(cv); ready.store(1); cv.notify_all(); }
//
// Lockable and TimedLockable: it locks its lock. wait*, notify* need the lock
// held by the caller, else std::system_error EPERM. The timed forms return
// false on time-out, with the lock held again; deadlines are monotonic.
#pragma once

#include <chrono>
#include <cstddef>
#include <utility>

#include "billiard/locks/deadline.hpp"
#include "billiard/lock.hpp"
#include "billiard/locks/condition.hpp"
#include "billiard/shared_object.hpp"

namespace billiard {

template <class L = FutexLock>
class Condition {
 public:
  using lock_type = Lock<L>;

  Condition() : Condition(Lock<L>()) {}
  explicit Condition(Lock<L> lock) : lock_(std::move(lock)), object_(std::in_place) {}
  // A handle on the ConditionState already built in block (a segment's object), over lock.
  Condition(Lock<L> lock, detail::SharedBlock block, detail::adopt_t) noexcept
      : lock_(std::move(lock)), object_(std::move(block), detail::adopt) {}

  void lock() const { lock_.lock(); }
  bool try_lock() const { return lock_.try_lock(); }
  void unlock() const { lock_.unlock(); }
  template <class Rep, class Period>
  bool try_lock_for(const std::chrono::duration<Rep, Period>& timeout) const {
    return lock_.try_lock_for(timeout);
  }
  template <class Clock, class Duration>
  bool try_lock_until(const std::chrono::time_point<Clock, Duration>& deadline) const {
    return lock_.try_lock_until(deadline);
  }
  const Lock<L>& get_lock() const noexcept { return lock_; }

  void wait() const { (void)state().wait(lock_.get(), nullptr); }
  template <class Predicate>
  void wait(Predicate pred) const {
    while (!pred()) wait();
  }

  template <class Rep, class Period>
  bool wait_for(const std::chrono::duration<Rep, Period>& timeout) const {
    const timespec deadline = monotonic_deadline_after(timeout);
    return state().wait(lock_.get(), &deadline);
  }
  template <class Rep, class Period, class Predicate>
  bool wait_for(const std::chrono::duration<Rep, Period>& timeout, Predicate pred) const {
    return wait_until_monotonic(monotonic_deadline_after(timeout), pred);
  }
  template <class Clock, class Duration>
  bool wait_until(const std::chrono::time_point<Clock, Duration>& t) const {
    const timespec deadline = monotonic_deadline_at(t);
    return state().wait(lock_.get(), &deadline);
  }
  template <class Clock, class Duration, class Predicate>
  bool wait_until(const std::chrono::time_point<Clock, Duration>& t, Predicate pred) const {
    return wait_until_monotonic(monotonic_deadline_at(t), pred);
  }

  void notify_one() const { notify(1); }
  void notify(std::size_t n) const { state().notify(lock_.get(), n); }
  void notify_all() const { notify(static_cast<std::size_t>(-1)); }

 private:
  ConditionState& state() const noexcept { return object_.state(); }

  // As Python's wait_for: the predicate's last value (false only on time-out).
  template <class Predicate>
  bool wait_until_monotonic(const timespec& deadline, Predicate& pred) const {
    while (!pred())
      if (!state().wait(lock_.get(), &deadline)) return pred();
    return true;
  }

  Lock<L> lock_;
  detail::SharedObject<ConditionState> object_;
};

}  // namespace billiard
