// RawArray<T>: n Ts in shared memory, contiguous, the first on a cache line.
// load(i)/store(i, x)/fetch_add(i, x)... are one atomic operation on element i
// (see shared_atomic_ref.hpp), bounds-checked; operator[] is the unchecked
// atomic access; data()/span() are plain access for bulk work.
#pragma once

#include <algorithm>
#include <cassert>
#include <cstdint>
#include <cstring>
#include <initializer_list>
#include <memory>
#include <new>
#include <span>
#include <stdexcept>
#include <string>
#include <string_view>
#include <type_traits>
#include <vector>

#include "billiard/atomic/shared_atomic_ref.hpp"
#include "billiard/shared_heap.hpp"

namespace billiard {

namespace detail {
[[noreturn]] void throw_index_out_of_range(const char* type, const char* operation, std::size_t index,
                                           std::size_t size);
[[noreturn]] void throw_text_too_long(const char* where, std::size_t length, std::size_t size);
[[noreturn]] void throw_array_too_large(const char* type, std::size_t n, std::size_t element_bytes);

// n elements of T in bytes; std::length_error naming n when that overflows size_t.
template <class T>
std::size_t array_bytes(const char* type, std::size_t n) {
  if (n > SIZE_MAX / sizeof(T)) throw_array_too_large(type, n, sizeof(T));
  return n * sizeof(T);
}
}  // namespace detail

template <class T>
class RawArray {
  static_assert(std::is_trivially_copyable_v<T>, "RawArray<T> needs a trivially copyable T");

 public:
  using value_type = T;
  static constexpr bool is_always_lock_free = SharedAtomicRef<T>::is_always_lock_free;

  // std::length_error naming n when n Ts do not fit in memory (see shared_heap.hpp).
  explicit RawArray(std::size_t n)
      : block_(detail::SharedBlock::allocate(detail::array_bytes<T>("RawArray", n))), size_(n) {
    std::uninitialized_value_construct_n(data(), n);
  }
  RawArray(std::initializer_list<T> init) : RawArray(std::span<const T>(init.begin(), init.size())) {}
  explicit RawArray(std::span<const T> init) : RawArray(init.size()) {
    std::memcpy(static_cast<void*>(data()), init.data(), init.size_bytes());
  }

  // A handle on the n Ts already in block (a segment's object).
  RawArray(detail::SharedBlock block, std::size_t n, detail::adopt_t) : block_(std::move(block)), size_(n) {}

  std::size_t size() const noexcept { return size_; }

  T load(std::size_t i, std::memory_order order = std::memory_order_seq_cst) const {
    return at(i, "load").load(order);
  }
  void store(std::size_t i, T x, std::memory_order order = std::memory_order_seq_cst) const {
    at(i, "store").store(x, order);
  }
  T exchange(std::size_t i, T x, std::memory_order order = std::memory_order_seq_cst) const
    requires kSharedLockFree<T>
  {
    return at(i, "exchange").exchange(x, order);
  }
  bool compare_exchange_strong(std::size_t i, T& expected, T desired,
                               std::memory_order order = std::memory_order_seq_cst) const
    requires kSharedLockFree<T>
  {
    return at(i, "compare_exchange_strong").compare_exchange_strong(expected, desired, order);
  }
  bool compare_exchange_weak(std::size_t i, T& expected, T desired,
                             std::memory_order order = std::memory_order_seq_cst) const
    requires kSharedLockFree<T>
  {
    return at(i, "compare_exchange_weak").compare_exchange_weak(expected, desired, order);
  }
  T fetch_add(std::size_t i, T x, std::memory_order order = std::memory_order_seq_cst) const
    requires SharedArithmetic<T>
  {
    return at(i, "fetch_add").fetch_add(x, order);
  }
  T fetch_sub(std::size_t i, T x, std::memory_order order = std::memory_order_seq_cst) const
    requires SharedArithmetic<T>
  {
    return at(i, "fetch_sub").fetch_sub(x, order);
  }
  T fetch_and(std::size_t i, T x, std::memory_order order = std::memory_order_seq_cst) const
    requires SharedIntegral<T>
  {
    return at(i, "fetch_and").fetch_and(x, order);
  }
  T fetch_or(std::size_t i, T x, std::memory_order order = std::memory_order_seq_cst) const
    requires SharedIntegral<T>
  {
    return at(i, "fetch_or").fetch_or(x, order);
  }
  T fetch_xor(std::size_t i, T x, std::memory_order order = std::memory_order_seq_cst) const
    requires SharedIntegral<T>
  {
    return at(i, "fetch_xor").fetch_xor(x, order);
  }

  // Unchecked atomic access to element i (asserted in debug builds).
  SharedAtomicRef<T> operator[](std::size_t i) const noexcept {
    assert(i < size_);
    return SharedAtomicRef<T>(data() + i);
  }

  T* data() const noexcept { return std::launder(reinterpret_cast<T*>(block_.data())); }
  std::span<T> span() const noexcept { return {data(), size_}; }

  // Element-wise atomic copies: each element is whole, the whole is no snapshot.
  std::vector<T> to_vector() const {
    std::vector<T> out;
    out.reserve(size_);
    for (std::size_t i = 0; i < size_; ++i) out.push_back((*this)[i].load());
    return out;
  }

  // Text access, as ctypes' c_char arrays: value() stops at the first NUL.
  std::string value() const requires std::same_as<T, char> {
    const auto bytes = span();
    return std::string(bytes.begin(), std::find(bytes.begin(), bytes.end(), '\0'));
  }
  std::string raw() const requires std::same_as<T, char> { return std::string(data(), size_); }
  // Copies text and NUL-fills the rest; std::length_error if text is longer than size().
  void set_value(std::string_view text) const requires std::same_as<T, char> {
    if (text.size() > size_) detail::throw_text_too_long("RawArray<char>::set_value", text.size(), size_);
    std::memcpy(data(), text.data(), text.size());
    std::memset(data() + text.size(), 0, size_ - text.size());
  }

 private:
  SharedAtomicRef<T> at(std::size_t i, const char* operation) const {
    if (i >= size_) detail::throw_index_out_of_range("RawArray", operation, i, size_);
    return (*this)[i];
  }

  detail::SharedBlock block_;
  std::size_t size_;
};

}  // namespace billiard
