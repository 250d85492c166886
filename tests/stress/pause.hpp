// The seed's time.sleep between shared accesses (counter's between its read
// and its write, matrix's after each cell, circular-buffer's after each item),
// shortened so a run takes seconds, not hours. Processes that pause this way
// stay on their CPUs, so raw ones overlap all the time.
#pragma once

#include <chrono>

#include "billiard/atomic/backoff.hpp"

namespace billiard::stress {

inline constexpr auto kPause = std::chrono::nanoseconds(200);

// The producers' rhythm in circular-buffer(-blocking) and queue: after every
// kBurst items a producer sleeps kGap (the seed's producer sleeps between
// items), so consumers also wait on a drained ring; what they burn then is
// their idle CPU (IdleMeter, wait_cost.hpp).
inline constexpr long long kBurst = 1000;
inline constexpr auto kGap = std::chrono::milliseconds(1);

// Spins for about kPause without giving up the CPU.
inline void pause() noexcept {
  const auto until = std::chrono::steady_clock::now() + kPause;
  while (std::chrono::steady_clock::now() < until) cpu_relax();
}

}  // namespace billiard::stress
