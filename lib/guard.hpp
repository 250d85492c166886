// The guards that Value::lock() and Array::lock() return: they hold the lock
// until they go, and give plain access to the guarded storage meanwhile
// (under a SeqLock, to a private copy written back when they go:
// seq_guard.hpp). The std::adopt_lock forms take over a lock the caller
// already holds, as the catcher of owner_died does.
#pragma once

#include <cstddef>
#include <mutex>
#include <span>
#include <utility>

namespace billiard {

// Holds a lock of kind L from construction to destruction (movable, like std::unique_lock).
template <class L>
class LockHold {
 public:
  explicit LockHold(L& lock) : lock_(&lock) { lock.lock(); }
  LockHold(L& lock, std::adopt_lock_t) noexcept : lock_(&lock) {}
  LockHold(LockHold&& other) noexcept : lock_(std::exchange(other.lock_, nullptr)) {}
  LockHold& operator=(LockHold&&) = delete;
  LockHold(const LockHold&) = delete;
  ~LockHold() {
    if (lock_ != nullptr) lock_->unlock();
  }

 private:
  L* lock_;
};

// Value<T, L>::lock(): *g and g-> are the value.
template <class T, class L>
class ValueGuard {
 public:
  ValueGuard(L& lock, T* value) : hold_(lock), value_(value) {}
  ValueGuard(L& lock, T* value, std::adopt_lock_t) noexcept : hold_(lock, std::adopt_lock), value_(value) {}
  T& operator*() const noexcept { return *value_; }
  T* operator->() const noexcept { return value_; }

 private:
  LockHold<L> hold_;
  T* value_;
};

// Array<T, L>::lock(): g[i], g.size() and g.span() are the elements.
template <class T, class L>
class ArrayGuard {
 public:
  ArrayGuard(L& lock, std::span<T> elements) : hold_(lock), elements_(elements) {}
  ArrayGuard(L& lock, std::span<T> elements, std::adopt_lock_t) noexcept
      : hold_(lock, std::adopt_lock), elements_(elements) {}
  T& operator[](std::size_t i) const noexcept { return elements_[i]; }
  std::size_t size() const noexcept { return elements_.size(); }
  std::span<T> span() const noexcept { return elements_; }
  T* data() const noexcept { return elements_.data(); }

 private:
  LockHold<L> hold_;
  std::span<T> elements_;
};

}  // namespace billiard
