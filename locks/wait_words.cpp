#include "billiard/locks/wait_words.hpp"

namespace billiard::detail {
namespace {

bool earlier(const timespec& a, const timespec& b) noexcept {
  return a.tv_sec < b.tv_sec || (a.tv_sec == b.tv_sec && a.tv_nsec < b.tv_nsec);
}

}  // namespace

WaitResult sleep_rechecking(const std::atomic<std::uint32_t>& word, std::uint32_t expected,
                            const timespec* deadline) noexcept {
  const timespec recheck = to_monotonic_timespec(std::chrono::steady_clock::now() + kWakerDeathRecheck);
  const bool clipped = deadline == nullptr || earlier(recheck, *deadline);
  const WaitResult r = futex_wait(word, expected, clipped ? &recheck : deadline);
  return r == WaitResult::timed_out && clipped ? WaitResult::woken : r;
}

}  // namespace billiard::detail
