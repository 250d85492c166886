// SharedAtomicRef<T>: std::atomic_ref's interface over a T in a shared mapping,
// atomic across processes, not only threads.
//
//   sizeof(T) 1, 2, 4, 8: std::atomic_ref<T>. Lock-free atomics are
//     address-free ([atomics.lockfree]), so they work between processes.
//   sizeof(T) 16: libatomic_ops' double-width compare-and-swap (double_width.hpp);
//     GCC's own 16-byte atomics are process-private.
//   any other size: load and store copy word by word (relaxed atomics, so a
//     race is no undefined behaviour) and can tear under a concurrent store,
//     exactly like ctypes raw memory; exchange,
//     compare-exchange and arithmetic do not exist (a compile error).
#pragma once

#include <atomic>
#include <concepts>
#include <cstddef>
#include <cstring>
#include <type_traits>

#include "billiard/atomic/double_width.hpp"
#include "billiard/atomic/relaxed_copy.hpp"

namespace billiard {

template <class T>
inline constexpr bool kWordAtomic =
    std::is_trivially_copyable_v<T> &&
    (sizeof(T) == 1 || sizeof(T) == 2 || sizeof(T) == 4 || sizeof(T) == 8);

template <class T>
inline constexpr bool kDoubleWidthAtomic = std::is_trivially_copyable_v<T> && sizeof(T) == 16;

template <class T>
inline constexpr bool kSharedLockFree = kWordAtomic<T> || kDoubleWidthAtomic<T>;

// Arithmetic read-modify-writes exist for word-sized integers and floating point.
template <class T>
concept SharedArithmetic = kWordAtomic<T> && (std::integral<T> || std::floating_point<T>) &&
                           !std::same_as<T, bool>;
template <class T>
concept SharedIntegral = SharedArithmetic<T> && std::integral<T>;

template <class T>
class SharedAtomicRef {
  static_assert(std::is_trivially_copyable_v<T>, "shared values must be trivially copyable");

 public:
  using value_type = T;
  static constexpr bool is_always_lock_free = kSharedLockFree<T>;
  // Word-sized and 16-byte values must be aligned to their size for the
  // instructions above; every slot the shared heap hands out is 64-byte aligned.
  static constexpr std::size_t required_alignment =
      kSharedLockFree<T> ? sizeof(T) : alignof(T);

  explicit SharedAtomicRef(T* object) noexcept : p_(object) {}

  T load(std::memory_order order = std::memory_order_seq_cst) const noexcept {
    if constexpr (kWordAtomic<T>) {
      return std::atomic_ref<T>(*p_).load(order);
    } else if constexpr (kDoubleWidthAtomic<T>) {
      alignas(16) unsigned char out[16];
      detail::double_load(p_, out);
      return from_bytes(out);
    } else {
      T value;
      relaxed_copy_out(&value, p_, sizeof(T));  // may tear, as documented above
      return value;
    }
  }

  void store(T desired, std::memory_order order = std::memory_order_seq_cst) const noexcept {
    if constexpr (kWordAtomic<T>) {
      std::atomic_ref<T>(*p_).store(desired, order);
    } else if constexpr (kDoubleWidthAtomic<T>) {
      (void)exchange(desired, order);
    } else {
      relaxed_copy_in(p_, &desired, sizeof(T));  // may tear a concurrent load, as documented above
    }
  }

  T exchange(T desired, std::memory_order order = std::memory_order_seq_cst) const noexcept
    requires kSharedLockFree<T>
  {
    if constexpr (kWordAtomic<T>) {
      return std::atomic_ref<T>(*p_).exchange(desired, order);
    } else {
      alignas(16) unsigned char previous[16];
      detail::double_exchange(p_, &desired, previous);
      return from_bytes(previous);
    }
  }

  bool compare_exchange_strong(T& expected, T desired, std::memory_order success,
                               std::memory_order failure) const noexcept
    requires kSharedLockFree<T>
  {
    if constexpr (kWordAtomic<T>) {
      return std::atomic_ref<T>(*p_).compare_exchange_strong(expected, desired, success, failure);
    } else {
      return detail::double_compare_exchange(p_, &expected, &desired);
    }
  }
  bool compare_exchange_strong(T& expected, T desired,
                               std::memory_order order = std::memory_order_seq_cst) const noexcept
    requires kSharedLockFree<T>
  {
    return compare_exchange_strong(expected, desired, order, failure_order(order));
  }

  bool compare_exchange_weak(T& expected, T desired, std::memory_order success,
                             std::memory_order failure) const noexcept
    requires kSharedLockFree<T>
  {
    if constexpr (kWordAtomic<T>) {
      return std::atomic_ref<T>(*p_).compare_exchange_weak(expected, desired, success, failure);
    } else {
      return detail::double_compare_exchange(p_, &expected, &desired);
    }
  }
  bool compare_exchange_weak(T& expected, T desired,
                             std::memory_order order = std::memory_order_seq_cst) const noexcept
    requires kSharedLockFree<T>
  {
    return compare_exchange_weak(expected, desired, order, failure_order(order));
  }

  T fetch_add(T x, std::memory_order order = std::memory_order_seq_cst) const noexcept
    requires SharedArithmetic<T>
  {
    return std::atomic_ref<T>(*p_).fetch_add(x, order);
  }
  T fetch_sub(T x, std::memory_order order = std::memory_order_seq_cst) const noexcept
    requires SharedArithmetic<T>
  {
    return std::atomic_ref<T>(*p_).fetch_sub(x, order);
  }
  T fetch_and(T x, std::memory_order order = std::memory_order_seq_cst) const noexcept
    requires SharedIntegral<T>
  {
    return std::atomic_ref<T>(*p_).fetch_and(x, order);
  }
  T fetch_or(T x, std::memory_order order = std::memory_order_seq_cst) const noexcept
    requires SharedIntegral<T>
  {
    return std::atomic_ref<T>(*p_).fetch_or(x, order);
  }
  T fetch_xor(T x, std::memory_order order = std::memory_order_seq_cst) const noexcept
    requires SharedIntegral<T>
  {
    return std::atomic_ref<T>(*p_).fetch_xor(x, order);
  }

  // std::atomic's operators: each one seq_cst read-modify-write, returning the new value.
  T operator++() const noexcept requires SharedIntegral<T> { return fetch_add(1) + 1; }
  T operator--() const noexcept requires SharedIntegral<T> { return fetch_sub(1) - 1; }
  T operator++(int) const noexcept requires SharedIntegral<T> { return fetch_add(1); }
  T operator--(int) const noexcept requires SharedIntegral<T> { return fetch_sub(1); }
  T operator+=(T x) const noexcept requires SharedArithmetic<T> { return fetch_add(x) + x; }
  T operator-=(T x) const noexcept requires SharedArithmetic<T> { return fetch_sub(x) - x; }

  T operator=(T desired) const noexcept {
    store(desired);
    return desired;
  }
  operator T() const noexcept { return load(); }  // NOLINT(google-explicit-constructor): as std::atomic

  T* address() const noexcept { return p_; }

 private:
  static constexpr std::memory_order failure_order(std::memory_order order) noexcept {
    // [atomics.types.operations]: the failure order is the success order without its release part.
    if (order == std::memory_order_acq_rel) return std::memory_order_acquire;
    if (order == std::memory_order_release) return std::memory_order_relaxed;
    return order;
  }
  static T from_bytes(const unsigned char* bytes) noexcept {
    T value;
    std::memcpy(static_cast<void*>(&value), bytes, sizeof(T));
    return value;
  }

  T* p_;
};

}  // namespace billiard
