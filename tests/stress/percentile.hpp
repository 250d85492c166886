// Percentiles of latencies measured in nanoseconds, reported in microseconds.
#pragma once

#include <algorithm>
#include <cstdint>
#include <vector>

namespace billiard::stress {

inline double percentile_us(std::vector<std::int64_t> ns, double p) {
  if (ns.empty()) return 0;
  std::sort(ns.begin(), ns.end());
  const auto at = static_cast<std::size_t>(p * static_cast<double>(ns.size() - 1));
  return static_cast<double>(ns[at]) / 1e3;
}

}  // namespace billiard::stress
