// The shared heap: where every billiard object's storage lives.
//
// Storage comes from MAP_SHARED | MAP_ANONYMOUS chunks of 64 MiB (reserved,
// not committed: a page costs memory once touched), carved into 64-byte
// slots. A block is one or more whole slots, so every object starts on its
// own cache line and no two objects share one. A fork'd child sees every
// chunk at the same address, which is how objects are shared.
//
// A SharedBlock is a counted handle to one block. Its count lives in a
// private side table beside the chunk (12 bytes a slot), so each process
// counts only its own handles; a child's copy of the table is its own.
// When the last handle in a process goes:
//   - the block is reused by this process only if it was allocated since the
//     last fork, so no child can hold a handle to it;
//   - otherwise it is never handed out again by this process (a child that
//     inherited it may still be using it).
// A child never allocates from chunks it inherited: after fork it starts
// chunks of its own, so nothing it creates can land on its parent's objects.
// Blocks larger than 1 MiB get a mapping of their own, unmapped when the last
// handle in a process goes (which leaves other processes' mappings intact).
// A SharedBlock can also be a piece of a named segment's mapping (segment.hpp):
// then the heap has no part in it, and every copy shares the mapping's owner,
// which unmaps it after the last one goes.
#pragma once

#include <cstddef>
#include <cstdint>
#include <memory>

namespace billiard::detail {

struct SlotMeta;  // per-block bookkeeping in the private side table

class SharedBlock {
 public:
  SharedBlock() noexcept = default;
  // A new zero-filled block of at least `bytes` bytes (one slot for 0),
  // 64-byte aligned. Throws std::length_error naming `bytes` when it is over
  // kMaxBlockBytes, std::bad_alloc when no mapping can be had.
  static SharedBlock allocate(std::size_t bytes);
  // A piece of a mapping that owner keeps alive (a segment's): not counted by
  // the heap; size() is 0, as the object there records its own length.
  SharedBlock(std::byte* data, std::shared_ptr<const void> owner) noexcept
      : data_(data), owner_(std::move(owner)) {}
  // The piece offset bytes further on, keeping the same mapping alive.
  SharedBlock piece(std::size_t offset) const noexcept { return SharedBlock(data_ + offset, owner_); }

  SharedBlock(const SharedBlock& other) noexcept;
  SharedBlock(SharedBlock&& other) noexcept;
  SharedBlock& operator=(SharedBlock other) noexcept;
  ~SharedBlock();

  std::byte* data() const noexcept { return data_; }
  std::size_t size() const noexcept;  // usable bytes: whole slots
  explicit operator bool() const noexcept { return data_ != nullptr; }

 private:
  SharedBlock(std::byte* data, SlotMeta* meta) noexcept : data_(data), meta_(meta) {}

  std::byte* data_ = nullptr;
  SlotMeta* meta_ = nullptr;
  std::shared_ptr<const void> owner_;  // a segment piece's mapping; empty for heap blocks
};

// What this process's heap holds right now (for benchmarks and tests).
struct SharedHeapStats {
  std::size_t blocks_in_use = 0;  // blocks with a handle in this process
  std::size_t bytes_in_use = 0;   // their slots, in bytes
  std::size_t bytes_reserved = 0; // chunk and big-block mappings made by this process
  std::size_t bytes_retired = 0;  // freed blocks a child may still use: never reused
};
SharedHeapStats shared_heap_stats() noexcept;

inline constexpr std::size_t kSlotBytes = 64;
// A block's length is kept as a 32-bit slot count: at most 256 GiB - 64 bytes.
inline constexpr std::size_t kMaxBlockBytes = std::size_t{UINT32_MAX} * kSlotBytes;

// Tag of the handle constructors that take a block whose object is built
// already (a segment's: segment.hpp), instead of building a new one.
struct adopt_t {
  explicit adopt_t() = default;
};
inline constexpr adopt_t adopt{};

}  // namespace billiard::detail
