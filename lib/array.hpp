// Array<T, L>: a RawArray<T> plus a lock of kind L, both in shared memory, as
// billiard's synchronized Array. load(i) and store(i, x) take the lock once
// each (with SeqLock, load(i) and to_vector() read optimistically instead);
// lock() returns a guard (under a SeqLock, to a private copy written back on
// unlock: seq_guard.hpp); lock(std::adopt_lock) guards a lock the caller
// already holds, as after catching owner_died; to_vector() is a consistent
// snapshot.
#pragma once

#include <algorithm>
#include <cstring>
#include <initializer_list>
#include <memory>
#include <mutex>
#include <span>
#include <string>
#include <string_view>
#include <type_traits>
#include <utility>
#include <vector>

#include "billiard/guard.hpp"
#include "billiard/lock.hpp"
#include "billiard/raw_array.hpp"
#include "billiard/seq_guard.hpp"
#include "billiard/seq_read.hpp"

namespace billiard {

template <class T, class L = FutexLock>
class Array {
 public:
  using value_type = T;
  using lock_type = L;

  explicit Array(std::size_t n, Lock<L> lock = Lock<L>()) : raw_(n), lock_(std::move(lock)) {}
  Array(std::initializer_list<T> init) : raw_(init), lock_() {}
  Array(std::span<const T> init, Lock<L> lock = Lock<L>()) : raw_(init), lock_(std::move(lock)) {}
  // Shares raw's storage (see synchronized()).
  Array(RawArray<T> raw, Lock<L> lock) : raw_(std::move(raw)), lock_(std::move(lock)) {}

  std::size_t size() const noexcept { return raw_.size(); }

  T load(std::size_t i) const {
    check(i, "load");
    if constexpr (std::is_same_v<L, SeqLock>) {
      return detail::seq_read(get_lock(), raw_.data() + i);
    } else {
      LockHold hold(get_lock());
      return raw_.data()[i];
    }
  }
  void store(std::size_t i, T x) const {
    check(i, "store");
    LockHold hold(get_lock());
    if constexpr (std::is_same_v<L, SeqLock>) {
      // optimistic readers may be copying it right now; aligned, it folds to word stores
      relaxed_copy_in(std::assume_aligned<alignof(T)>(raw_.data() + i), &x, sizeof(T));
    } else {
      raw_.data()[i] = x;
    }
  }

  ArrayGuard<T, L> lock() const { return ArrayGuard<T, L>(get_lock(), raw_.span()); }
  ArrayGuard<T, L> lock(std::adopt_lock_t) const { return ArrayGuard<T, L>(get_lock(), raw_.span(), std::adopt_lock); }

  template <class F>
  decltype(auto) with_lock(F&& f) const {
    auto g = lock();
    return std::forward<F>(f)(g.span());
  }

  // A consistent snapshot: every element from one moment.
  std::vector<T> to_vector() const {
    std::vector<T> out(size());
    if constexpr (std::is_same_v<L, SeqLock>) {
      detail::seq_read_bytes(get_lock(), out.data(), raw_.data(), size() * sizeof(T));
    } else {
      LockHold hold(get_lock());
      std::memcpy(static_cast<void*>(out.data()), raw_.data(), size() * sizeof(T));
    }
    return out;
  }

  std::string value() const requires std::same_as<T, char> {
    if constexpr (std::is_same_v<L, SeqLock>) {
      const std::string bytes = raw();
      return bytes.substr(0, bytes.find('\0'));
    } else {
      LockHold hold(get_lock());
      return raw_.value();
    }
  }
  std::string raw() const requires std::same_as<T, char> {
    if constexpr (std::is_same_v<L, SeqLock>) {
      std::string out(size(), '\0');
      detail::seq_read_bytes(get_lock(), out.data(), raw_.data(), size());
      return out;
    } else {
      LockHold hold(get_lock());
      return raw_.raw();
    }
  }
  void set_value(std::string_view text) const requires std::same_as<T, char> {
    if constexpr (std::is_same_v<L, SeqLock>) {  // through the guard: readers may be copying the text
      if (text.size() > size()) detail::throw_text_too_long("Array<char>::set_value", text.size(), size());
      auto g = lock();
      std::fill(std::copy(text.begin(), text.end(), g.span().begin()), g.span().end(), '\0');
    } else {
      LockHold hold(get_lock());
      raw_.set_value(text);
    }
  }

  L& get_lock() const noexcept { return lock_.get(); }
  const Lock<L>& lock_handle() const noexcept { return lock_; }
  RawArray<T> get_obj() const noexcept { return raw_; }

 private:
  void check(std::size_t i, const char* operation) const {
    if (i >= size()) detail::throw_index_out_of_range("Array", operation, i, size());
  }

  RawArray<T> raw_;
  Lock<L> lock_;
};

}  // namespace billiard
