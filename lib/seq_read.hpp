// Optimistic reads under a SeqLock: copy with relaxed atomic loads
// (relaxed_copy.hpp) between read_begin() and read_retry(), retrying until no
// writer overlapped.
#pragma once

#include <atomic>
#include <cstddef>
#include <cstdint>
#include <cstring>
#include <type_traits>

#include "billiard/atomic/relaxed_copy.hpp"
#include "billiard/locks/seq_lock.hpp"

namespace billiard::detail {

// A whole T, never torn; never blocks a writer.
template <class T>
T seq_read(const SeqLock& lock, const T* src) noexcept {
  static_assert(std::is_trivially_copyable_v<T>);
  alignas(T) unsigned char buffer[sizeof(T)];
  std::uint32_t begin;
  do {
    begin = lock.read_begin();
    relaxed_copy_out(buffer, src, sizeof(T));
  } while (lock.read_retry(begin));
  T out;
  std::memcpy(static_cast<void*>(&out), buffer, sizeof(T));
  return out;
}

}  // namespace billiard::detail
