// RawValue<T>: one T in shared memory, on a cache line of its own, with
// std::atomic's operations (see shared_atomic_ref.hpp for which sizes are
// lock-free and how). Copying the handle shares the value; copy() makes a new one.
#pragma once

#include <atomic>
#include <new>
#include <type_traits>

#include "billiard/atomic/shared_atomic_ref.hpp"
#include "billiard/shared_heap.hpp"

namespace billiard {

template <class T>
class RawValue {
  static_assert(std::is_trivially_copyable_v<T>, "RawValue<T> needs a trivially copyable T");

 public:
  using value_type = T;
  static constexpr bool is_always_lock_free = SharedAtomicRef<T>::is_always_lock_free;

  RawValue() : RawValue(T{}) {}
  explicit RawValue(T initial) : block_(detail::SharedBlock::allocate(sizeof(T))) {
    ::new (static_cast<void*>(block_.data())) T(initial);
  }

  T load(std::memory_order order = std::memory_order_seq_cst) const noexcept { return ref().load(order); }
  void store(T x, std::memory_order order = std::memory_order_seq_cst) const noexcept { ref().store(x, order); }

  T exchange(T x, std::memory_order order = std::memory_order_seq_cst) const noexcept
    requires kSharedLockFree<T>
  {
    return ref().exchange(x, order);
  }
  bool compare_exchange_weak(T& expected, T desired, std::memory_order success,
                             std::memory_order failure) const noexcept
    requires kSharedLockFree<T>
  {
    return ref().compare_exchange_weak(expected, desired, success, failure);
  }
  bool compare_exchange_weak(T& expected, T desired,
                             std::memory_order order = std::memory_order_seq_cst) const noexcept
    requires kSharedLockFree<T>
  {
    return ref().compare_exchange_weak(expected, desired, order);
  }
  bool compare_exchange_strong(T& expected, T desired, std::memory_order success,
                               std::memory_order failure) const noexcept
    requires kSharedLockFree<T>
  {
    return ref().compare_exchange_strong(expected, desired, success, failure);
  }
  bool compare_exchange_strong(T& expected, T desired,
                               std::memory_order order = std::memory_order_seq_cst) const noexcept
    requires kSharedLockFree<T>
  {
    return ref().compare_exchange_strong(expected, desired, order);
  }

  T fetch_add(T x, std::memory_order order = std::memory_order_seq_cst) const noexcept
    requires SharedArithmetic<T>
  {
    return ref().fetch_add(x, order);
  }
  T fetch_sub(T x, std::memory_order order = std::memory_order_seq_cst) const noexcept
    requires SharedArithmetic<T>
  {
    return ref().fetch_sub(x, order);
  }
  T fetch_and(T x, std::memory_order order = std::memory_order_seq_cst) const noexcept
    requires SharedIntegral<T>
  {
    return ref().fetch_and(x, order);
  }
  T fetch_or(T x, std::memory_order order = std::memory_order_seq_cst) const noexcept
    requires SharedIntegral<T>
  {
    return ref().fetch_or(x, order);
  }
  T fetch_xor(T x, std::memory_order order = std::memory_order_seq_cst) const noexcept
    requires SharedIntegral<T>
  {
    return ref().fetch_xor(x, order);
  }

  T operator++() const noexcept requires SharedIntegral<T> { return ++ref(); }
  T operator--() const noexcept requires SharedIntegral<T> { return --ref(); }
  T operator++(int) const noexcept requires SharedIntegral<T> { return ref()++; }
  T operator--(int) const noexcept requires SharedIntegral<T> { return ref()--; }
  T operator+=(T x) const noexcept requires SharedArithmetic<T> { return ref() += x; }
  T operator-=(T x) const noexcept requires SharedArithmetic<T> { return ref() -= x; }

  // The shared storage: the same address in this process and its children.
  T* data() const noexcept { return std::launder(reinterpret_cast<T*>(block_.data())); }

 private:
  SharedAtomicRef<T> ref() const noexcept { return SharedAtomicRef<T>(data()); }

  detail::SharedBlock block_;
};

}  // namespace billiard
