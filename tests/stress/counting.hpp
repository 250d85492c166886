// What the counter-type scenarios (counter, race) share: the typecodes they
// count in, and how many increments each type can count exactly.
#pragma once

#include <algorithm>
#include <limits>
#include <string_view>
#include <type_traits>

namespace billiard::stress {

// The seed's numeric typecodes. 'c' is left out: a ctypes c_char holds a
// byte string of length 1, not a number to count with.
inline constexpr std::string_view kCountingTypecodes = "bBhHiIlLqQfd";

// The largest total a T holds exactly: its maximum for an integer type,
// 2^digits for a floating-point one (2^24 for float: 16777217 is not a float).
template <class T>
constexpr long long exact_limit() {
  if constexpr (std::is_integral_v<T>) {
    return static_cast<long long>(
        std::min<unsigned long long>(std::numeric_limits<T>::max(), std::numeric_limits<long long>::max()));
  } else {
    return 1LL << std::numeric_limits<T>::digits;
  }
}

// Increments per process, lowered where processes x iterations would not fit
// exactly in a T (a signed char counts to 127).
template <class T>
constexpr long long exact_iterations(int processes, long long iterations) {
  return std::min(iterations, exact_limit<T>() / processes);
}

}  // namespace billiard::stress
