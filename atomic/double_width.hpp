// 16-byte atomic access through libatomic_ops' double-width compare-and-swap.
//
// GCC's std::atomic<T> and std::atomic_ref<T> for 16-byte T call libatomic,
// which guards them with a table of locks private to each process: two
// processes writing one shared 16-byte value are not atomic with respect to
// each other. cmpxchg16b (x86-64) and ldaxp/stlxp (aarch64) are, so every
// 16-byte access here is a compare-and-swap on the memory itself. Each is a
// full barrier, so every std::memory_order a caller asks for is honoured.
//
// The setup is this header's own: no -D or -m flag is needed from the build.
// Only libatomic_ops' inline functions are used, so nothing links against
// libatomic_ops (and a cross build needs only its headers).
//   x86-64, GCC:    AO_CMPXCHG16B_AVAILABLE selects its inline cmpxchg16b
//                   (every x86-64 CPU since 2008 has it) instead of a
//                   lock-based emulation, which is process-private.
//   x86-64, clang:  clang offers 16-byte __sync builtins only with -mcx16, and
//                   libatomic_ops builds on those builtins under clang, so
//                   without -mcx16 AO_DISABLE_GCC_ATOMICS sends it to the same
//                   inline cmpxchg16b as GCC.
//   aarch64:        libatomic_ops' ldaxp/stlxp loop; no setting needed.
#pragma once

#include "billiard/atomic/config.hpp"

#if defined(__x86_64__) && !defined(__ILP32__)
#if !defined(AO_CMPXCHG16B_AVAILABLE)
#define AO_CMPXCHG16B_AVAILABLE 1
#endif
#if defined(__clang__) && !defined(__GCC_HAVE_SYNC_COMPARE_AND_SWAP_16) && !defined(AO_DISABLE_GCC_ATOMICS)
#define AO_DISABLE_GCC_ATOMICS 1
#endif
#endif

#include <atomic_ops.h>

#include <cstring>

#if !defined(AO_HAVE_compare_double_and_swap_double_full)
#if defined(__x86_64__) && !defined(__ILP32__)
#error "billiard: <atomic_ops.h> was included before billiard's headers without AO_CMPXCHG16B_AVAILABLE, so it has no inline cmpxchg16b; include billiard's headers first or define AO_CMPXCHG16B_AVAILABLE (and for clang AO_DISABLE_GCC_ATOMICS, or -mcx16)"
#else
#error "billiard needs a lock-free 16-byte compare-and-swap (x86-64 cmpxchg16b, aarch64 ldaxp/stlxp); libatomic_ops has none for this target, so 16-byte values could not be atomic across processes"
#endif
#endif

namespace billiard::detail {

inline AO_double_t to_ao(const void* bytes) noexcept {
  AO_double_t v;
  std::memcpy(&v, bytes, sizeof v);
  return v;
}

// Replaces *addr with desired if it holds expected (bitwise); true on success.
inline bool double_cas(void* addr, const void* expected, const void* desired) noexcept {
  const AO_double_t e = to_ao(expected), d = to_ao(desired);
  return AO_compare_double_and_swap_double_full(static_cast<volatile AO_double_t*>(addr),
                                                e.AO_parts.AO_v1, e.AO_parts.AO_v2,
                                                d.AO_parts.AO_v1, d.AO_parts.AO_v2) != 0;
}

// Copies *addr into out atomically: a guess read plainly (it may be torn), then
// a compare-and-swap of the guess with itself, which succeeds only if the guess
// was the whole value at one instant. Retries until it is.
inline void double_load(const void* addr, void* out) noexcept {
  for (;;) {
    AO_double_t guess;
    std::memcpy(&guess, const_cast<const void*>(addr), sizeof guess);
    if (double_cas(const_cast<void*>(addr), &guess, &guess)) {
      std::memcpy(out, &guess, sizeof guess);
      return;
    }
  }
}

// Stores desired into *addr and copies the previous value into previous.
inline void double_exchange(void* addr, const void* desired, void* previous) noexcept {
  alignas(16) unsigned char seen[16];
  double_load(addr, seen);
  while (!double_cas(addr, seen, desired)) double_load(addr, seen);
  std::memcpy(previous, seen, sizeof seen);
}

// std::atomic's compare_exchange_strong: fails only when *addr differs from
// expected, and then copies what it saw into expected.
inline bool double_compare_exchange(void* addr, void* expected, const void* desired) noexcept {
  for (;;) {
    if (double_cas(addr, expected, desired)) return true;
    alignas(16) unsigned char seen[16];
    double_load(addr, seen);
    if (std::memcmp(seen, expected, sizeof seen) != 0) {
      std::memcpy(expected, seen, sizeof seen);
      return false;
    }
    // It changed back to expected between the two: try again.
  }
}

}  // namespace billiard::detail
