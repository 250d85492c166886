#include "billiard/locks/futex.hpp"

#include <linux/futex.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <cerrno>
#include <climits>
#include <cstdio>
#include <cstdlib>
#include <cstring>

namespace billiard {
namespace {

static_assert(std::atomic<std::uint32_t>::is_always_lock_free,
              "[atomics.lockfree]: lock-free means address-free, which a shared futex word needs");
static_assert(sizeof(std::atomic<std::uint32_t>) == sizeof(std::uint32_t));

[[noreturn]] void die(const char* operation, int error) noexcept {
  std::fprintf(stderr, "billiard: %s failed with errno %d (%s): a bug in billiard\n", operation,
               error, std::strerror(error));
  std::abort();
}

std::uint32_t* address(const std::atomic<std::uint32_t>& word) noexcept {
  return const_cast<std::uint32_t*>(reinterpret_cast<const std::uint32_t*>(&word));
}

}  // namespace

WaitResult futex_wait(const std::atomic<std::uint32_t>& word, std::uint32_t expected,
                      const timespec* deadline, std::uint32_t bitset) noexcept {
  // FUTEX_WAIT_BITSET takes an absolute deadline (FUTEX_WAIT a relative one);
  // without FUTEX_CLOCK_REALTIME it is measured on CLOCK_MONOTONIC.
  const long r = syscall(SYS_futex, address(word), FUTEX_WAIT_BITSET, expected, deadline, nullptr,
                         bitset);
  if (r == 0) return WaitResult::woken;
  switch (errno) {
    case EAGAIN: return WaitResult::value_changed;
    case EINTR: return WaitResult::interrupted;
    case ETIMEDOUT: return WaitResult::timed_out;
    default: die("futex(FUTEX_WAIT_BITSET)", errno);
  }
}

int futex_wake(const std::atomic<std::uint32_t>& word, int how_many, std::uint32_t bitset) noexcept {
  const long r = syscall(SYS_futex, address(word), FUTEX_WAKE_BITSET, how_many, nullptr, nullptr, bitset);
  if (r < 0) die("futex(FUTEX_WAKE_BITSET)", errno);
  return static_cast<int>(r);
}

timespec to_monotonic_timespec(std::chrono::steady_clock::time_point t) noexcept {
  const auto ns = std::chrono::duration_cast<std::chrono::nanoseconds>(t.time_since_epoch()).count();
  if (ns <= 0) return {0, 0};
  return {static_cast<time_t>(ns / 1'000'000'000), static_cast<long>(ns % 1'000'000'000)};
}

}  // namespace billiard
