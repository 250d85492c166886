// RawValue<T>: one T in shared memory, on a cache line of its own, with
// std::atomic's operations (load, store, exchange, compare_exchange_*,
// fetch_add/sub/and/or/xor, ++ -- += -=; shared_atomic_ref.hpp says which
// sizes are lock-free and how). A RawValue is a SharedAtomicRef to its own
// slot plus the counted handle that keeps the slot alive. Copying the handle
// shares the value; copy() makes a new one.
//
// Waiting: wait(old) sleeps in the kernel while the value equals old
// (bitwise, as std::atomic::wait), across processes; notify_one/notify_all
// wake sleepers and make no system call when nobody sleeps. The words they
// use sit beside the value in the same block (RawValueLayout below;
// locks/wait_words.hpp has the protocol and what a killed process does).
#pragma once

#include <chrono>
#include <cstddef>
#include <cstring>
#include <new>
#include <type_traits>
#include <utility>

#include "billiard/atomic/shared_atomic_ref.hpp"
#include "billiard/locks/deadline.hpp"
#include "billiard/locks/wait_words.hpp"
#include "billiard/shared_heap.hpp"

namespace billiard {
namespace detail {

// The shared layout of a RawValue<T>, in one place for every way of making
// one (the shared heap, a named segment): the T at offset 0 (data() points
// there; the block is 64-byte aligned), then the WaitWords its waiters use.
template <class T>
struct RawValueLayout {
  static_assert(alignof(T) <= kSlotBytes, "RawValue<T> needs alignof(T) <= 64");
  static constexpr std::size_t kWordsOffset =
      (sizeof(T) + alignof(WaitWords) - 1) / alignof(WaitWords) * alignof(WaitWords);
  static constexpr std::size_t kBytes = kWordsOffset + sizeof(WaitWords);

  // Builds the value and its words in kBytes of storage aligned to 64.
  static void construct(std::byte* block, T initial) {
    ::new (static_cast<void*>(block)) T(initial);
    ::new (static_cast<void*>(block + kWordsOffset)) WaitWords();
  }
  static T* value(std::byte* block) noexcept { return std::launder(reinterpret_cast<T*>(block)); }
  static WaitWords* words(std::byte* block) noexcept {
    return std::launder(reinterpret_cast<WaitWords*>(block + kWordsOffset));
  }
};

}  // namespace detail

template <class T>
class RawValue : public SharedAtomicRef<T> {
  static_assert(std::is_trivially_copyable_v<T>, "RawValue<T> needs a trivially copyable T");
  using Layout = detail::RawValueLayout<T>;

 public:
  RawValue() : RawValue(T{}) {}
  explicit RawValue(T initial) : RawValue(detail::SharedBlock::allocate(Layout::kBytes), initial) {}
  // A handle on the value already built in block (a segment's object, RawValueLayout).
  RawValue(detail::SharedBlock block, detail::adopt_t)
      : SharedAtomicRef<T>(Layout::value(block.data())), words_(Layout::words(block.data())), block_(std::move(block)) {}

  // The shared storage: the same address in this process and its children.
  T* data() const noexcept { return this->address(); }

  // Blocks while the value is bitwise equal to old; may return early only
  // when the value changed (and perhaps changed back), never spuriously.
  void wait(T old, std::memory_order order = std::memory_order_seq_cst) const {
    (void)wait_until_monotonic(old, order, nullptr);
  }
  // false: the deadline passed with the value still equal to old.
  template <class Rep, class Period>
  bool wait_for(T old, const std::chrono::duration<Rep, Period>& timeout,
                std::memory_order order = std::memory_order_seq_cst) const {
    const timespec deadline = monotonic_deadline_after(timeout);
    return wait_until_monotonic(old, order, &deadline);
  }
  template <class Clock, class Duration>
  bool wait_until(T old, const std::chrono::time_point<Clock, Duration>& t,
                  std::memory_order order = std::memory_order_seq_cst) const {
    const timespec deadline = monotonic_deadline_at(t);
    return wait_until_monotonic(old, order, &deadline);
  }

  void notify_one() const noexcept { words_->notify(1); }
  void notify_all() const noexcept { words_->notify_all(); }

 private:
  RawValue(detail::SharedBlock block, T initial)
      : SharedAtomicRef<T>((Layout::construct(block.data(), initial), Layout::value(block.data()))),
        words_(Layout::words(block.data())),
        block_(std::move(block)) {}

  bool differs(T old, std::memory_order order) const noexcept {
    const T now = this->load(order);
    return std::memcmp(static_cast<const void*>(&now), static_cast<const void*>(&old), sizeof(T)) != 0;
  }
  bool wait_until_monotonic(T old, std::memory_order order, const timespec* deadline) const {
    if (differs(old, order)) return true;
    return words_->wait_until([&] { return differs(old, order); }, deadline);
  }

  detail::WaitWords* words_;
  detail::SharedBlock block_;
};

}  // namespace billiard
