// The counting strategies every counter case runs through one harness:
// LockedCounter<L> (a lock adapter and the long it guards) for our lock kinds
// and the baselines alike, and the two lock-free floors, a bare std::atomic
// and billiard::RawValue, both in the shared heap's mapping.
//
// A strategy is created by the parent before it forks; its state lives in
// shared memory, so increment() in any child counts in one place, and count()
// in the parent reads the total afterwards.
#pragma once

#include <atomic>
#include <new>
#include <string>

#include "bench/baselines.hpp"
#include "bench/harness.hpp"
#include "billiard/billiard.hpp"
#include "billiard/shared_heap.hpp"

namespace billiard::bench {

template <class... Ts>
struct TypeList {};

// Calls f.template operator()<T>() for each T of the list, in order.
template <class... Ts, class F>
void for_each_type(TypeList<Ts...>, F&& f) {
  (f.template operator()<Ts>(), ...);
}

// Our kinds first, then what users would otherwise pick; glibc_mutex is the
// reference every ratio divides by.
using LockKinds = TypeList<FutexLock, TicketLock, SpinLock, PthreadMutex, RobustLock,
                           RecursiveLock<FutexLock>, SeqLock, GlibcMutex, PosixSemaphore,
                           BoostMutex, CkFas, CkTicket>;

// A lock and the long it guards, each on its own cache line (as Value<long, L> lays them out).
template <class L>
struct Guarded {
  alignas(kCacheLine) L lock;
  alignas(kCacheLine) long value = 0;
};

template <class L>
class LockedCounter {
 public:
  static std::string name() { return std::string(L::kName); }

  // One critical section: lock, count, run inside(), unlock.
  template <class Inside>
  void increment(Inside inside) {
    page_->lock.lock();
    ++page_->value;
    inside();
    page_->lock.unlock();
  }
  void increment() {
    increment([] {});
  }
  long count() const { return page_->value; }

  L& lock() const noexcept { return page_->lock; }
  long& value() const noexcept { return page_->value; }  // guarded by lock()

 private:
  SharedPage<Guarded<L>> page_;
};

// The floor: std::atomic<long>::fetch_add in a block of the shared heap,
// the mapping RawValue's storage comes from.
class AtomicFetchAdd {
 public:
  static std::string name() { return "atomic_fetch_add"; }
  AtomicFetchAdd()
      : block_(detail::SharedBlock::allocate(sizeof(std::atomic<long>))),
        value_(::new (static_cast<void*>(block_.data())) std::atomic<long>(0)) {}
  void increment() { value_->fetch_add(1, std::memory_order_seq_cst); }
  long count() const { return value_->load(std::memory_order_seq_cst); }

 private:
  detail::SharedBlock block_;
  std::atomic<long>* value_;
};

// billiard::RawValue<long>::fetch_add: the same instruction behind our API.
class RawValueFetchAdd {
 public:
  static std::string name() { return "RawValue_fetch_add"; }
  void increment() { value_.fetch_add(1); }
  long count() const { return value_.load(); }

 private:
  RawValue<long> value_;
};

}  // namespace billiard::bench
