// Lock<Kind>: a handle to a lock of kind Kind in shared memory, as Python's
// Lock() and RLock(). Copying the handle shares the lock; a child made by fork
// shares it too. The handle is itself Lockable and TimedLockable (it forwards
// to the lock), and get() is the lock object itself, the same object that
// get_lock() of every Value or Array built on this handle returns.
//
//   billiard::Lock lock;                 // a FutexLock
//   billiard::Value<int> a(0, lock), b(0, lock);
//   std::scoped_lock guard(lock);        // a and b change together
#pragma once

#include <chrono>
#include <new>

#include "billiard/locks/futex_lock.hpp"
#include "billiard/locks/pthread_mutex.hpp"
#include "billiard/locks/recursive_lock.hpp"
#include "billiard/locks/robust_lock.hpp"
#include "billiard/locks/seq_lock.hpp"
#include "billiard/locks/spin_lock.hpp"
#include "billiard/locks/ticket_lock.hpp"
#include "billiard/shared_heap.hpp"

namespace billiard {

template <class Kind = FutexLock>
class Lock {
 public:
  using kind_type = Kind;

  Lock() : block_(detail::SharedBlock::allocate(sizeof(Kind))) {
    static_assert(alignof(Kind) <= detail::kSlotBytes);
    ::new (static_cast<void*>(block_.data())) Kind();
  }

  // A handle on the lock already in block (a segment's object).
  Lock(detail::SharedBlock block, detail::adopt_t) : block_(std::move(block)) {}

  Kind& get() const noexcept { return *std::launder(reinterpret_cast<Kind*>(block_.data())); }

  void lock() const { get().lock(); }
  bool try_lock() const { return get().try_lock(); }
  void unlock() const { get().unlock(); }
  template <class Rep, class Period>
  bool try_lock_for(const std::chrono::duration<Rep, Period>& timeout) const {
    return get().try_lock_for(timeout);
  }
  template <class Clock, class Duration>
  bool try_lock_until(const std::chrono::time_point<Clock, Duration>& deadline) const {
    return get().try_lock_until(deadline);
  }

 private:
  detail::SharedBlock block_;
};

using RLock = Lock<RecursiveLock<FutexLock>>;

}  // namespace billiard
