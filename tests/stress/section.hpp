// How a scenario runs the very same code in its raw and synchronized
// variants: hold(obj) takes obj's lock when obj is a synchronized object
// (Value, Array) and takes nothing when it is a raw one (RawValue, RawArray);
// storage(obj) is the raw object underneath. So a raw row and a synchronized
// row run the very same code; the lock is what differs (and where the workers
// run: see run_row in job.hpp).
//
//   const auto raw = storage(counter);
//   for (...) {
//     const auto section = hold(counter);
//     raw.store(raw.load(std::memory_order_relaxed) + 1, std::memory_order_relaxed);
//   }
#pragma once

#include <mutex>

namespace billiard::stress {

// The lock a raw variant holds: none at all.
struct NoLock {
  void lock() noexcept {}
  void unlock() noexcept {}
  bool try_lock() noexcept { return true; }
};

template <class Obj>
concept Synchronized = requires(const Obj& obj) {
  obj.get_lock();
  obj.get_obj();
};

template <class Obj>
auto hold(const Obj& obj) {
  if constexpr (Synchronized<Obj>) {
    return std::unique_lock(obj.get_lock());
  } else {
    static NoLock no_lock;
    return std::unique_lock(no_lock);
  }
}

template <class Obj>
auto storage(const Obj& obj) {
  if constexpr (Synchronized<Obj>) {
    return obj.get_obj();
  } else {
    return obj;
  }
}

}  // namespace billiard::stress
