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
inline constexpr std::size_t kWord = 8;

// [p, p + n) as `lead` bytes before the first aligned word inside it, `words`
// whole aligned words, then `trail` bytes. Counts rather than end pointers, so
// that for a constant n at a known alignment (seq_read.hpp) the compiler folds
// the byte loops away and unrolls the word loop.
struct WordSplit {
  std::size_t lead, words, trail;
};
inline WordSplit split_words(std::uintptr_t p, std::size_t n) noexcept {
  const std::size_t to_aligned = (kWord - p % kWord) % kWord;
  const std::size_t lead = n < to_aligned ? n : to_aligned;
  const std::size_t words = (n - lead) / kWord;
  return {lead, words, n - lead - words * kWord};
}

inline std::atomic_ref<unsigned char> shared_byte(std::uintptr_t p) noexcept {
  return std::atomic_ref<unsigned char>(*reinterpret_cast<unsigned char*>(p));
}
inline std::atomic_ref<std::uint64_t> shared_word(std::uintptr_t p) noexcept {
  return std::atomic_ref<std::uint64_t>(*reinterpret_cast<std::uint64_t*>(p));
}
}  // namespace detail

// relaxed throughout: the caller orders the copy as a whole (SeqLock's acquire
// and fence, or nothing for a raw value that may tear anyway).
inline void relaxed_copy_out(void* dst, const void* shared, std::size_t n) noexcept {
  auto* out = static_cast<unsigned char*>(dst);
  auto p = reinterpret_cast<std::uintptr_t>(shared);
  const detail::WordSplit split = detail::split_words(p, n);
  for (std::size_t i = 0; i < split.lead; ++i, ++p) *out++ = detail::shared_byte(p).load(std::memory_order_relaxed);
  // 8: up to a cache line of words as straight-line loads; bench/value_cases.cpp's
  // seqlock_reads (Value<4 longs, SeqLock>::load()) needs 4 (docs/performance.md, SeqLock)
#pragma GCC unroll 8
  for (std::size_t i = 0; i < split.words; ++i, p += detail::kWord, out += detail::kWord) {
    const std::uint64_t word = detail::shared_word(p).load(std::memory_order_relaxed);
    std::memcpy(out, &word, detail::kWord);
  }
  for (std::size_t i = 0; i < split.trail; ++i, ++p) *out++ = detail::shared_byte(p).load(std::memory_order_relaxed);
}

inline void relaxed_copy_in(void* shared, const void* src, std::size_t n) noexcept {
  const auto* in = static_cast<const unsigned char*>(src);
  auto p = reinterpret_cast<std::uintptr_t>(shared);
  const detail::WordSplit split = detail::split_words(p, n);
  for (std::size_t i = 0; i < split.lead; ++i, ++p) detail::shared_byte(p).store(*in++, std::memory_order_relaxed);
#pragma GCC unroll 8  // as in relaxed_copy_out
  for (std::size_t i = 0; i < split.words; ++i, p += detail::kWord, in += detail::kWord) {
    std::uint64_t word;
    std::memcpy(&word, in, detail::kWord);
    detail::shared_word(p).store(word, std::memory_order_relaxed);
  }
  for (std::size_t i = 0; i < split.trail; ++i, ++p) detail::shared_byte(p).store(*in++, std::memory_order_relaxed);
}

}  // namespace billiard
