#include "billiard/shared_heap.hpp"

#include <pthread.h>
#include <sys/mman.h>
#include <unistd.h>

#include <atomic>
#include <cstring>
#include <mutex>
#include <new>
#include <stdexcept>
#include <string>
#include <unordered_map>
#include <vector>

#include "billiard/atomic/cache_line.hpp"

namespace billiard::detail {

static_assert(kSlotBytes == kCacheLine, "one object per cache line");

struct SlotMeta {
  std::uint32_t refs;        // handles in this process; 0: free
  std::uint32_t slots;       // block length in slots
  std::uint32_t generation;  // heap generation at allocation (see Heap)
};

namespace {

constexpr std::size_t kChunkSlots = std::size_t{1} << 20;  // 64 MiB of slots
constexpr std::size_t kBigBlockSlots = kChunkSlots / 64;    // over 1 MiB: a mapping of its own

void* map(std::size_t bytes, int sharing) {
  void* p = mmap(nullptr, bytes, PROT_READ | PROT_WRITE,
                 sharing | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
  if (p == MAP_FAILED) throw std::bad_alloc();
  return p;
}

struct FreeBlock {
  std::byte* data;
  SlotMeta* meta;
};

// One per process, never destroyed (objects may outlive static destruction).
// generation_ counts forks: it goes up in the parent and in the child each
// time this process forks or is forked, so a block whose generation is not
// the current one was alive across a fork and may be in use by a child.
class Heap {
 public:
  static Heap& instance() {
    static Heap* heap = new Heap;
    return *heap;
  }

  FreeBlock allocate_block(std::size_t bytes) {
    check_owner();
    const std::size_t slots = bytes == 0 ? 1 : (bytes + kSlotBytes - 1) / kSlotBytes;
    if (slots > kBigBlockSlots) return allocate_big(slots);
    std::lock_guard guard(mutex_);
    FreeBlock block = reuse_or_carve(slots);
    block.meta->refs = 1;
    block.meta->slots = static_cast<std::uint32_t>(slots);
    block.meta->generation = generation_;
    stats_.blocks_in_use += 1;
    stats_.bytes_in_use += slots * kSlotBytes;
    return block;
  }

  void release(std::byte* data, SlotMeta* meta) noexcept {
    const std::size_t slots = meta->slots;
    if (slots > kBigBlockSlots) return release_big(data, meta);
    std::lock_guard guard(mutex_);
    stats_.blocks_in_use -= 1;
    stats_.bytes_in_use -= slots * kSlotBytes;
    if (meta->generation != generation_) {
      stats_.bytes_retired += slots * kSlotBytes;  // a child may still use it
      return;
    }
    free_[static_cast<std::uint32_t>(slots)].push_back({data, meta});
  }

  SharedHeapStats stats() noexcept {
    std::lock_guard guard(mutex_);
    return stats_;
  }

 private:
  Heap() {
    pthread_atfork([] { instance().mutex_.lock(); },
                   [] { instance().after_fork_in_parent(); },
                   [] { instance().after_fork_in_child(); });
  }

  void after_fork_in_parent() noexcept {
    ++generation_;
    mutex_.unlock();
  }

  // The child keeps its inherited chunks mapped (its objects live there) but
  // never carves or reuses them: they are its parent's to hand out.
  void after_fork_in_child() noexcept {
    ++generation_;
    pid_ = getpid();
    chunk_ = {};
    free_.clear();
    stats_.bytes_reserved = 0;
    mutex_.unlock();
  }

  // A child made without fork()'s handlers (_Fork, a raw clone) inherits its
  // parent's chunk cursor and free lists, so what it allocates would land on
  // its parent's objects (and the mutex may be held by a parent thread that
  // does not exist here). One getpid() per allocation, before the mutex, finds it.
  void check_owner() const {
    if (const pid_t self = getpid(); self != pid_)
      throw std::logic_error("billiard: process " + std::to_string(self) +
                             " was made without fork()'s handlers (_Fork, clone): its shared heap is process " +
                             std::to_string(pid_) + "'s; use fork() or billiard::Process");
  }

  FreeBlock reuse_or_carve(std::size_t slots) {
    if (auto it = free_.find(static_cast<std::uint32_t>(slots));
        it != free_.end() && !it->second.empty()) {
      FreeBlock block = it->second.back();
      it->second.pop_back();
      std::memset(block.data, 0, slots * kSlotBytes);
      return block;
    }
    if (chunk_.next + slots > kChunkSlots) new_chunk();
    FreeBlock block{chunk_.data + chunk_.next * kSlotBytes, chunk_.meta + chunk_.next};
    chunk_.next += slots;
    return block;  // fresh pages are zero already
  }

  void new_chunk() {
    auto* data = static_cast<std::byte*>(map(kChunkSlots * kSlotBytes, MAP_SHARED));
    void* meta = map(kChunkSlots * sizeof(SlotMeta), MAP_PRIVATE);
    chunk_ = {data, static_cast<SlotMeta*>(meta), 0};
    stats_.bytes_reserved += kChunkSlots * kSlotBytes;
  }

  FreeBlock allocate_big(std::size_t slots) {
    auto* data = static_cast<std::byte*>(map(slots * kSlotBytes, MAP_SHARED));
    auto* meta = new SlotMeta{1, static_cast<std::uint32_t>(slots), 0};
    std::lock_guard guard(mutex_);
    meta->generation = generation_;
    stats_.blocks_in_use += 1;
    stats_.bytes_in_use += slots * kSlotBytes;
    stats_.bytes_reserved += slots * kSlotBytes;
    return {data, meta};
  }

  // Unmapping only removes this process's view: a child's mapping of the same
  // pages stays valid, so this is safe whatever the generation.
  void release_big(std::byte* data, SlotMeta* meta) noexcept {
    const std::size_t bytes = std::size_t{meta->slots} * kSlotBytes;
    {
      std::lock_guard guard(mutex_);
      stats_.blocks_in_use -= 1;
      stats_.bytes_in_use -= bytes;
      if (meta->generation == generation_) stats_.bytes_reserved -= bytes;
    }
    munmap(data, bytes);
    delete meta;
  }

  struct Chunk {
    std::byte* data = nullptr;
    SlotMeta* meta = nullptr;
    std::size_t next = kChunkSlots;  // first uncarved slot; full means "make a chunk"
  };

  std::mutex mutex_;
  pid_t pid_ = getpid();  // the process these chunks and free lists belong to
  std::uint32_t generation_ = 0;
  Chunk chunk_;
  std::unordered_map<std::uint32_t, std::vector<FreeBlock>> free_;
  SharedHeapStats stats_;
};

}  // namespace

SharedBlock SharedBlock::allocate(std::size_t bytes) {
  // Checked before any slot arithmetic: (bytes + 63) / 64 cannot wrap, and the
  // slot count fits the 32-bit SlotMeta::slots.
  if (bytes > kMaxBlockBytes)
    throw std::length_error("billiard::SharedBlock::allocate: " + std::to_string(bytes) +
                            " bytes is over the largest block, " + std::to_string(kMaxBlockBytes) + " bytes");
  const FreeBlock block = Heap::instance().allocate_block(bytes);
  return SharedBlock(block.data, block.meta);
}

// The count is touched by every thread of this process that holds a handle.
SharedBlock::SharedBlock(const SharedBlock& other) noexcept
    : data_(other.data_), meta_(other.meta_), owner_(other.owner_) {
  if (meta_ != nullptr)  // relaxed: the caller's handle keeps the block alive, as in shared_ptr
    std::atomic_ref<std::uint32_t>(meta_->refs).fetch_add(1, std::memory_order_relaxed);
}

SharedBlock::SharedBlock(SharedBlock&& other) noexcept
    : data_(other.data_), meta_(other.meta_), owner_(std::move(other.owner_)) {
  other.data_ = nullptr;
  other.meta_ = nullptr;
}

SharedBlock& SharedBlock::operator=(SharedBlock other) noexcept {
  std::swap(data_, other.data_);
  std::swap(meta_, other.meta_);
  std::swap(owner_, other.owner_);
  return *this;
}

SharedBlock::~SharedBlock() {
  if (meta_ == nullptr) return;
  // acq_rel: every other handle's last use happens before the block is reused.
  if (std::atomic_ref<std::uint32_t>(meta_->refs).fetch_sub(1, std::memory_order_acq_rel) == 1)
    Heap::instance().release(data_, meta_);
}

std::size_t SharedBlock::size() const noexcept {
  return meta_ == nullptr ? 0 : std::size_t{meta_->slots} * kSlotBytes;
}

SharedHeapStats shared_heap_stats() noexcept { return Heap::instance().stats(); }

}  // namespace billiard::detail
