// The cache-line size that shared objects are laid out by.
#pragma once

#include <cstddef>

namespace billiard {

// 64 bytes on x86-64 and on the aarch64 cores we build for. A constant rather
// than std::hardware_destructive_interference_size, whose value GCC warns may
// change between compiler versions: this one is part of our shared layout.
inline constexpr std::size_t kCacheLine = 64;

}  // namespace billiard
