#include "billiard/locks/robust_list.hpp"

#include <sys/syscall.h>
#include <unistd.h>

#include <stdexcept>

namespace billiard {

robust_list_head& this_thread_robust_list() {
  thread_local robust_list_head* head = [] {
    robust_list_head* h = nullptr;
    std::size_t length = 0;
    if (syscall(SYS_get_robust_list, 0, &h, &length) != 0 || h == nullptr)
      throw std::runtime_error("billiard: this thread has no robust futex list");
    return h;
  }();
  return *head;
}

void watch_for_death(robust_list_head& head, const std::atomic<std::uint32_t>* word) noexcept {
  // The entry the kernel will look at: word - futex_offset, as an address
  // only (never dereferenced, by us or by the kernel).
  const auto entry = word == nullptr ? std::uintptr_t{0}
                                     : reinterpret_cast<std::uintptr_t>(word) -
                                           static_cast<std::uintptr_t>(head.futex_offset);
  // The kernel reads list_op_pending only when this thread dies, and a thread
  // dies between instructions: keep the compiler from moving the store across
  // the word's atomics (same thread, so no CPU fence is needed).
  std::atomic_signal_fence(std::memory_order_seq_cst);
  head.list_op_pending = reinterpret_cast<robust_list*>(entry);
  std::atomic_signal_fence(std::memory_order_seq_cst);
}

}  // namespace billiard
