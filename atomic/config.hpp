// What every billiard header needs from the compiler and the platform, checked
// first so that a wrong setup fails with one line that says how to fix it
// rather than with errors from deep inside the library.
#pragma once

#if !defined(__cplusplus) || __cplusplus < 202002L
#error "billiard needs C++20: -std=c++20 (CMake: cxx_std_20, which billiard::billiard sets; Bazel: --cxxopt=-std=c++20)"
#endif

#if !defined(__linux__)
#error "billiard needs Linux: its locks sleep on futexes and its memory is MAP_SHARED"
#endif
