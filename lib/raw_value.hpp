// RawValue<T>: one T in shared memory, on a cache line of its own, with
// std::atomic's operations (load, store, exchange, compare_exchange_*,
// fetch_add/sub/and/or/xor, ++ -- += -=; shared_atomic_ref.hpp says which
// sizes are lock-free and how). A RawValue is a SharedAtomicRef to its own
// slot plus the counted handle that keeps the slot alive. Copying the handle
// shares the value; copy() makes a new one.
#pragma once

#include <new>
#include <type_traits>
#include <utility>

#include "billiard/atomic/shared_atomic_ref.hpp"
#include "billiard/shared_heap.hpp"

namespace billiard {

template <class T>
class RawValue : public SharedAtomicRef<T> {
  static_assert(std::is_trivially_copyable_v<T>, "RawValue<T> needs a trivially copyable T");

 public:
  RawValue() : RawValue(T{}) {}
  explicit RawValue(T initial) : RawValue(detail::SharedBlock::allocate(sizeof(T)), initial) {}
  // A handle on the T already in block (a segment's object).
  RawValue(detail::SharedBlock block, detail::adopt_t)
      : SharedAtomicRef<T>(std::launder(reinterpret_cast<T*>(block.data()))), block_(std::move(block)) {}

  // The shared storage: the same address in this process and its children.
  T* data() const noexcept { return this->address(); }

 private:
  RawValue(detail::SharedBlock block, T initial)
      : SharedAtomicRef<T>(::new (static_cast<void*>(block.data())) T(initial)), block_(std::move(block)) {}

  detail::SharedBlock block_;
};

}  // namespace billiard
