// SharedObject<State>: the handle part of Event, Semaphore, Barrier and
// Condition. State is built once at the start of a fresh shared block; copies
// of the handle share it, and a fork'd child inherits it (shared_heap.hpp).
// A Segment builds State in its own memory and adopts it (segment.hpp).
#pragma once

#include <new>
#include <utility>

#include "billiard/shared_heap.hpp"

namespace billiard::detail {

template <class State>
class SharedObject {
  static_assert(alignof(State) <= kSlotBytes);

 public:
  template <class... Args>
  explicit SharedObject(std::in_place_t, Args&&... args) : block_(SharedBlock::allocate(sizeof(State))) {
    ::new (static_cast<void*>(block_.data())) State(std::forward<Args>(args)...);
  }

  // A handle on the State already built at the start of block (a segment's object).
  SharedObject(SharedBlock block, adopt_t) noexcept : block_(std::move(block)) {}

  State& state() const noexcept { return *std::launder(reinterpret_cast<State*>(block_.data())); }

 private:
  SharedBlock block_;
};

}  // namespace billiard::detail
