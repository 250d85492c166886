#include "billiard/locks/semaphore.hpp"

#include <cerrno>
#include <string>
#include <system_error>

#include "billiard/locks/futex.hpp"
#include "billiard/locks/wait_words.hpp"

namespace billiard {

bool SemaphoreState::acquire_contended(const timespec* deadline) noexcept {
  for (;;) {
    sleepers_.fetch_add(1, std::memory_order_seq_cst);  // then load count_: see the header
    const std::uint32_t seen = count_.load(std::memory_order_seq_cst);
    const WaitResult r = seen == 0 ? detail::sleep_rechecking(count_, 0, deadline) : WaitResult::value_changed;
    sleepers_.fetch_sub(1, std::memory_order_relaxed);  // relaxed: a late decrement costs only a wake
    if (try_acquire()) return true;
    if (r == WaitResult::timed_out) return false;
  }
}

void SemaphoreState::release(std::uint32_t k, const char* kind) {
  std::uint32_t seen = count_.load(std::memory_order_relaxed);  // relaxed: the CAS decides
  do {
    if (k > bound_ - seen)
      throw std::system_error(EOVERFLOW, std::generic_category(),
                              std::string("billiard::") + kind + "::release(" + std::to_string(k) +
                                  "): the value " + std::to_string(seen) + " would pass its bound " +
                                  std::to_string(bound_));
  } while (!count_.compare_exchange_weak(seen, seen + k,
                                         // seq_cst: publishes our writes to the acquirer, and is the
                                         // store of the store-then-load pair with sleepers_ below
                                         std::memory_order_seq_cst,
                                         std::memory_order_relaxed));  // failure: only re-read
  if (sleepers_.load(std::memory_order_seq_cst) != 0)
    futex_wake(count_, static_cast<int>(k));  // k <= kMaxPermits = INT_MAX
}

}  // namespace billiard
