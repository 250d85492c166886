// Copies between private memory and shared memory that another process may be
// writing at the same moment, as relaxed atomic accesses: a racing write makes
// the copy tear (the caller detects or accepts that), never undefined behaviour.
// Whole aligned 8-byte words inside the range move as one access; bytes at
// either end move one by one, so nothing outside the range is written.
#pragma once

#include <atomic>
#include <cstddef>
#include <cstdint>
#include <cstring>

namespace billiard {

namespace detail {
inline constexpr std::uintptr_t kWord = 8;
inline std::uintptr_t align_up(std::uintptr_t p) noexcept { return (p + kWord - 1) & ~(kWord - 1); }
}  // namespace detail

// relaxed throughout: the caller orders the copy as a whole (SeqLock's acquire
// and fence, or nothing for a raw value that may tear anyway).
inline void relaxed_copy_out(void* dst, const void* shared, std::size_t n) noexcept {
  auto* out = static_cast<unsigned char*>(dst);
  auto p = reinterpret_cast<std::uintptr_t>(shared);
  const std::uintptr_t end = p + n;
  const std::uintptr_t words_end = end & ~(detail::kWord - 1);
  for (; p < end && (p % detail::kWord != 0 || p >= words_end); ++p)  // leading bytes
    *out++ = std::atomic_ref<unsigned char>(*reinterpret_cast<unsigned char*>(p)).load(std::memory_order_relaxed);
  for (; p < words_end; p += detail::kWord, out += detail::kWord) {
    const std::uint64_t word =
        std::atomic_ref<std::uint64_t>(*reinterpret_cast<std::uint64_t*>(p)).load(std::memory_order_relaxed);
    std::memcpy(out, &word, detail::kWord);
  }
  for (; p < end; ++p)  // trailing bytes
    *out++ = std::atomic_ref<unsigned char>(*reinterpret_cast<unsigned char*>(p)).load(std::memory_order_relaxed);
}

inline void relaxed_copy_in(void* shared, const void* src, std::size_t n) noexcept {
  const auto* in = static_cast<const unsigned char*>(src);
  auto p = reinterpret_cast<std::uintptr_t>(shared);
  const std::uintptr_t end = p + n;
  const std::uintptr_t words_end = end & ~(detail::kWord - 1);
  for (; p < end && (p % detail::kWord != 0 || p >= words_end); ++p)
    std::atomic_ref<unsigned char>(*reinterpret_cast<unsigned char*>(p)).store(*in++, std::memory_order_relaxed);
  for (; p < words_end; p += detail::kWord, in += detail::kWord) {
    std::uint64_t word;
    std::memcpy(&word, in, detail::kWord);
    std::atomic_ref<std::uint64_t>(*reinterpret_cast<std::uint64_t*>(p)).store(word, std::memory_order_relaxed);
  }
  for (; p < end; ++p)
    std::atomic_ref<unsigned char>(*reinterpret_cast<unsigned char*>(p)).store(*in++, std::memory_order_relaxed);
}

}  // namespace billiard
