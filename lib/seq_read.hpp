// Optimistic reads under a SeqLock: copy with relaxed atomic loads
// (relaxed_copy.hpp) between read_begin() and read_retry(), retrying until no
// writer overlapped. They store to no shared line. read_begin() throws
// owner_died when the writer died mid-write and EDEADLK when the caller is the
// writer (locks/seq_lock.hpp).
// Both are inlined whole into the caller: a read that meets no writer is one
// load of the sequence, the copy, and a second load (the fences cost nothing on
// x86). For seq_read, with sizeof(T) and alignof(T) known, the copy folds to
// sizeof(T) / 8 word loads when T is made of aligned 8-byte words
// (relaxed_copy.hpp): no call, no alignment test, no byte loop
// (docs/performance.md, SeqLock, has what a read costs).
#pragma once

#include <cstddef>
#include <cstdint>
#include <cstring>
#include <memory>
#include <type_traits>

#include "billiard/atomic/relaxed_copy.hpp"
#include "billiard/locks/seq_lock.hpp"

namespace billiard::detail {

// n whole bytes from src, all from one moment; never blocks a writer.
[[gnu::always_inline]] inline void seq_read_bytes(const SeqLock& lock, void* dst, const void* src, std::size_t n) {
  std::uint32_t begin;
  do {
    begin = lock.read_begin();
    relaxed_copy_out(dst, src, n);
  } while (lock.read_retry(begin));
}

// A whole T, never torn.
template <class T>
[[gnu::always_inline]] inline T seq_read(const SeqLock& lock, const T* src) {
  static_assert(std::is_trivially_copyable_v<T>);
  alignas(T) unsigned char buffer[sizeof(T)];
  seq_read_bytes(lock, buffer, std::assume_aligned<alignof(T)>(src), sizeof(T));
  T out;
  std::memcpy(static_cast<void*>(&out), buffer, sizeof(T));
  return out;
}

}  // namespace billiard::detail
