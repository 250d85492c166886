// Value<T, L>: a RawValue<T> plus a lock of kind L, both in shared memory, as
// billiard's synchronized Value. load() and store() take the lock once each
// (a Value<T, SeqLock>'s load() takes none: it reads optimistically and
// retries); lock() returns a guard for longer work (under a SeqLock, to a
// private copy written back on unlock: seq_guard.hpp); lock(std::adopt_lock)
// guards a lock the caller already holds, as after catching owner_died.
//
//   billiard::Value<int> counter(0);
//   counter.with_lock([](int& v) { ++v; });
//   { auto g = counter.lock(); *g += 1; }
#pragma once

#include <memory>
#include <mutex>
#include <type_traits>
#include <utility>

#include "billiard/guard.hpp"
#include "billiard/lock.hpp"
#include "billiard/raw_value.hpp"
#include "billiard/seq_guard.hpp"
#include "billiard/seq_read.hpp"

namespace billiard {

template <class T, class L = FutexLock>
class Value {
 public:
  using value_type = T;
  using lock_type = L;

  Value() : Value(T{}) {}
  explicit Value(T initial, Lock<L> lock = Lock<L>()) : raw_(initial), lock_(std::move(lock)) {}
  // Shares raw's storage (see synchronized()).
  Value(RawValue<T> raw, Lock<L> lock) : raw_(std::move(raw)), lock_(std::move(lock)) {}

  T load() const {
    if constexpr (std::is_same_v<L, SeqLock>) {
      return detail::seq_read(get_lock(), raw_.data());
    } else {
      LockHold hold(get_lock());
      return *raw_.data();
    }
  }
  void store(T x) const {
    LockHold hold(get_lock());
    if constexpr (std::is_same_v<L, SeqLock>) {
      // optimistic readers may be copying it right now; aligned, it folds to word stores
      relaxed_copy_in(std::assume_aligned<alignof(T)>(raw_.data()), &x, sizeof(T));
    } else {
      *raw_.data() = x;
    }
  }

  ValueGuard<T, L> lock() const { return ValueGuard<T, L>(get_lock(), raw_.data()); }
  ValueGuard<T, L> lock(std::adopt_lock_t) const { return ValueGuard<T, L>(get_lock(), raw_.data(), std::adopt_lock); }

  template <class F>
  decltype(auto) with_lock(F&& f) const {
    auto g = lock();
    return std::forward<F>(f)(*g);
  }

  L& get_lock() const noexcept { return lock_.get(); }
  const Lock<L>& lock_handle() const noexcept { return lock_; }
  RawValue<T> get_obj() const noexcept { return raw_; }

 private:
  RawValue<T> raw_;
  Lock<L> lock_;
};

}  // namespace billiard
