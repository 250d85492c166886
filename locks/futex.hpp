// The one futex wrapper. Only futex.cpp names SYS_futex.
//
// Every call is on a shared futex: never FUTEX_PRIVATE_FLAG, because the
// waker may be another process (and never std::atomic::wait, which
// libstdc++ keys by address inside one process).
#pragma once

#include <time.h>

#include <atomic>
#include <chrono>
#include <cstdint>

namespace billiard {

enum class WaitResult {
  woken,          // a futex_wake reached us (or a spurious wake-up: re-read the word)
  value_changed,  // the word did not hold `expected` when we went to sleep
  interrupted,    // a signal handler ran
  timed_out,      // the deadline passed
};

// Every sleeper: the bitset of a wait or wake that picks no one in particular.
inline constexpr std::uint32_t kAnySleeper = 0xffff'ffffu;

// Sleeps while word == expected. deadline: absolute CLOCK_MONOTONIC
// (FUTEX_WAIT_BITSET), nullptr for none. A wake reaches this sleeper only if
// its bitset shares a bit with the sleeper's. EFAULT, EINVAL and ENOSYS are
// bugs in billiard: abort naming the errno. Wake-ups may be spurious: re-read the word.
WaitResult futex_wait(const std::atomic<std::uint32_t>& word, std::uint32_t expected,
                      const timespec* deadline, std::uint32_t bitset = kAnySleeper) noexcept;

// Wakes at most how_many sleepers on word whose bitset meets bitset; returns
// how many were woken.
int futex_wake(const std::atomic<std::uint32_t>& word, int how_many,
               std::uint32_t bitset = kAnySleeper) noexcept;

// std::chrono::steady_clock is CLOCK_MONOTONIC on Linux: the futex deadline of t.
timespec to_monotonic_timespec(std::chrono::steady_clock::time_point t) noexcept;

}  // namespace billiard
