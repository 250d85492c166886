// The seed's time.sleep between shared accesses (counter's between its read
// and its write, matrix's after each cell, circular-buffer's after each item),
// shortened so a run takes seconds, not hours. Processes that pause this way
// stay on their CPUs, so raw ones overlap all the time.
#pragma once

#include <chrono>

#include "billiard/atomic/backoff.hpp"

namespace billiard::stress {

inline constexpr auto kPause = std::chrono::nanoseconds(200);

// Spins for about kPause without giving up the CPU.
inline void pause() noexcept {
  const auto until = std::chrono::steady_clock::now() + kPause;
  while (std::chrono::steady_clock::now() < until) cpu_relax();
}

}  // namespace billiard::stress
