// Optimistic reads under a SeqLock: copy bytes with relaxed atomic loads
// between read_begin() and read_retry(), retrying until no writer overlapped.
#pragma once

#include <atomic>
#include <cstddef>
#include <cstdint>
#include <cstring>
#include <type_traits>

#include "billiard/locks/seq_lock.hpp"

namespace billiard::detail {

// Copies n bytes from shared storage with relaxed atomic loads of the
// aligned 8-byte words that cover them, so a racing writer is a retry, not
// undefined behaviour. Every block is 64-byte aligned and whole slots long,
// so the covering words are inside it.
inline void relaxed_copy(void* dst, const void* src, std::size_t n) noexcept {
  const auto first = reinterpret_cast<std::uintptr_t>(src);
  const std::uintptr_t end = first + n;
  auto* out = static_cast<unsigned char*>(dst);
  for (std::uintptr_t word_at = first & ~std::uintptr_t{7}; word_at < end; word_at += 8) {
    // relaxed: read_begin()'s acquire and read_retry()'s fence order these loads
    const std::uint64_t word =
        std::atomic_ref<std::uint64_t>(*reinterpret_cast<std::uint64_t*>(word_at)).load(std::memory_order_relaxed);
    const std::uintptr_t from = word_at < first ? first : word_at;
    const std::uintptr_t to = word_at + 8 < end ? word_at + 8 : end;
    std::memcpy(out + (from - first), reinterpret_cast<const unsigned char*>(&word) + (from - word_at), to - from);
  }
}

// A whole T, never torn; never blocks a writer.
template <class T>
T seq_read(const SeqLock& lock, const T* src) noexcept {
  static_assert(std::is_trivially_copyable_v<T>);
  alignas(T) unsigned char buffer[sizeof(T)];
  std::uint32_t begin;
  do {
    begin = lock.read_begin();
    relaxed_copy(buffer, src, sizeof(T));
  } while (lock.read_retry(begin));
  T out;
  std::memcpy(static_cast<void*>(&out), buffer, sizeof(T));
  return out;
}

}  // namespace billiard::detail
