#include "billiard/locks/robust_lock.hpp"

#include <linux/futex.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <atomic>
#include <stdexcept>
#include <string>

#include "billiard/locks/robust_list.hpp"


namespace billiard {

struct RobustLayout {
  static constexpr long kFutexOffset =
      static_cast<long>(offsetof(RobustLock, word_)) - static_cast<long>(offsetof(RobustLock, next_));
  static_assert(offsetof(RobustLock, prev_) + sizeof(void*) == offsetof(RobustLock, next_),
                "prev/next must be adjacent, as in glibc's __pthread_list_t");
};

namespace {

// This thread's robust list head, the one glibc registered with the kernel
// (struct robust_list_head: list, futex_offset, list_op_pending). glibc keeps
// a pointer-sized slot just before it (robust_prev) that serves as the head's
// own "prev", so the head links like any entry.
robust_list_head* robust_head() {
  thread_local robust_list_head* head = [] {
    robust_list_head& h = this_thread_robust_list();
    if (h.futex_offset != RobustLayout::kFutexOffset)
      throw std::runtime_error("billiard::RobustLock: the C library's robust list has futex_offset " +
                               std::to_string(h.futex_offset) + ", expected " +
                               std::to_string(RobustLayout::kFutexOffset));
    return &h;
  }();
  return head;
}

// The compiler must not move list writes across each other: the kernel reads
// the list of a thread that died between any two instructions. Same thread,
// so no CPU fence is needed.
void compiler_barrier() noexcept { std::atomic_signal_fence(std::memory_order_seq_cst); }

// List pointers point at an entry's next field; glibc sets bit 0 on those of
// priority-inheritance mutexes, so strip it before following one.
void* strip(void* entry) noexcept {
  return reinterpret_cast<void*>(reinterpret_cast<std::uintptr_t>(entry) & ~std::uintptr_t{1});
}
void** prev_slot(void* entry) noexcept { return static_cast<void**>(strip(entry)) - 1; }

void set_pending(robust_list_head* head, void* entry) noexcept {
  compiler_barrier();
  head->list_op_pending = static_cast<robust_list*>(entry);
  compiler_barrier();
}

// glibc's ENQUEUE_MUTEX: link entry at the front of the list.
void link(robust_list_head* head, void* entry, void** next, void** prev) noexcept {
  void* first = head->list.next;
  *prev_slot(first) = entry;
  *next = first;
  *prev = &head->list;
  compiler_barrier();
  head->list.next = static_cast<robust_list*>(entry);
}

// glibc's DEQUEUE_MUTEX.
void unlink(void** next, void** prev) noexcept {
  *prev_slot(*next) = *prev;
  *static_cast<void**>(strip(*prev)) = *next;
  compiler_barrier();
  *prev = nullptr;
  *next = nullptr;
}

}  // namespace

bool RobustLock::acquired(std::uint32_t previous_word) {
  link(robust_head(), entry(), &next_, &prev_);
  set_pending(robust_head(), nullptr);
  if (previous_word & OwnerWord::kOwnerDied)
    throw owner_died("billiard::RobustLock: the previous holder died holding the lock; tid " +
                     std::to_string(current_tid()) + " now holds it: repair, then unlock");
  return true;
}

void RobustLock::lock() {
  const std::uint32_t self = current_tid();
  robust_list_head* head = robust_head();
  set_pending(head, entry());
  if (word_.try_acquire_free(self)) [[likely]] {
    acquired(0);
    return;
  }
  if (word_.owner() == self) {
    set_pending(head, nullptr);
    detail::throw_relock("RobustLock::lock", self);
  }
  acquired(word_.acquire_contended(self, std::nullopt, Fairness::barging));
}

bool RobustLock::try_lock() {
  const std::uint32_t self = current_tid();
  robust_list_head* head = robust_head();
  set_pending(head, entry());
  const std::uint32_t previous = word_.try_acquire(self);
  if (previous != OwnerWord::kHeld) return acquired(previous);
  set_pending(head, nullptr);
  return false;  // held, by us too (POSIX error-checking trylock)
}

bool RobustLock::try_lock_until(std::chrono::steady_clock::time_point deadline) {
  const std::uint32_t self = current_tid();
  robust_list_head* head = robust_head();
  set_pending(head, entry());
  std::uint32_t previous = word_.try_acquire(self);
  if (previous == OwnerWord::kHeld) {
    if (word_.owner() == self) {
      set_pending(head, nullptr);
      detail::throw_relock("RobustLock::try_lock_until", self);
    }
    previous = word_.acquire_contended(self, deadline, Fairness::barging);
  }
  if (previous != OwnerWord::kHeld) return acquired(previous);
  set_pending(head, nullptr);
  return false;
}

void RobustLock::unlock() {
  const std::uint32_t self = current_tid();
  if (word_.owner() != self) [[unlikely]]
    detail::throw_not_owner("RobustLock::unlock", self, word_.owner());
  robust_list_head* head = robust_head();
  set_pending(head, entry());
  unlink(&next_, &prev_);
  word_.release();
  set_pending(head, nullptr);
}

}  // namespace billiard
