// The guards of Value<T, SeqLock> and Array<T, SeqLock>. Optimistic readers
// copy the shared storage with relaxed atomic loads at any moment, so the
// holder must not write it with plain stores (a data race: undefined
// behaviour, and TSan reports it). These guards hand out a private copy,
// read when the lock is taken, and write it back with relaxed atomic stores
// (relaxed_copy_in) just before they unlock; the SeqLock's sequence orders
// those stores for the readers. *g, g->, g[i], g.size() and g.span() are the
// copy. A holder killed before the write-back leaves the shared value as it
// was: whole.
#pragma once

#include <cstddef>
#include <memory>
#include <mutex>
#include <span>
#include <utility>
#include <vector>

#include "billiard/atomic/relaxed_copy.hpp"
#include "billiard/guard.hpp"
#include "billiard/locks/seq_lock.hpp"

namespace billiard {

template <class T>
class ValueGuard<T, SeqLock> {
 public:
  // Only the holder writes the storage, so the plain read of it races with
  // nothing (readers only read).
  ValueGuard(SeqLock& lock, T* value) : hold_(lock), shared_(value), copy_(*value) {}
  ValueGuard(SeqLock& lock, T* value, std::adopt_lock_t) noexcept
      : hold_(lock, std::adopt_lock), shared_(value), copy_(*value) {}
  ValueGuard(ValueGuard&& other) noexcept
      : hold_(std::move(other.hold_)), shared_(std::exchange(other.shared_, nullptr)), copy_(other.copy_) {}
  ValueGuard& operator=(ValueGuard&&) = delete;
  ~ValueGuard() {
    // then hold_ unlocks; aligned, the copy folds to word stores (a short odd window)
    if (shared_ != nullptr) relaxed_copy_in(std::assume_aligned<alignof(T)>(shared_), &copy_, sizeof(T));
  }

  T& operator*() const noexcept { return copy_; }
  T* operator->() const noexcept { return &copy_; }

 private:
  LockHold<SeqLock> hold_;  // declared first: taken before the copy, freed after the write-back
  T* shared_;
  mutable T copy_;
};

template <class T>
class ArrayGuard<T, SeqLock> {
 public:
  ArrayGuard(SeqLock& lock, std::span<T> elements)
      : hold_(lock), shared_(elements), copy_(elements.begin(), elements.end()) {}
  ArrayGuard(SeqLock& lock, std::span<T> elements, std::adopt_lock_t)
      : hold_(lock, std::adopt_lock), shared_(elements), copy_(elements.begin(), elements.end()) {}
  ArrayGuard(ArrayGuard&& other) noexcept
      : hold_(std::move(other.hold_)), shared_(std::exchange(other.shared_, {})), copy_(std::move(other.copy_)) {}
  ArrayGuard& operator=(ArrayGuard&&) = delete;
  ~ArrayGuard() {
    if (shared_.data() != nullptr) relaxed_copy_in(shared_.data(), copy_.data(), shared_.size_bytes());
  }

  T& operator[](std::size_t i) const noexcept { return copy_[i]; }
  std::size_t size() const noexcept { return copy_.size(); }
  std::span<T> span() const noexcept { return copy_; }
  T* data() const noexcept { return copy_.data(); }

 private:
  LockHold<SeqLock> hold_;
  std::span<T> shared_;
  mutable std::vector<T> copy_;
};

}  // namespace billiard
