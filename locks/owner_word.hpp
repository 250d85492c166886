// OwnerWord: the 32-bit lock word that FutexLock and RobustLock share, and
// the algorithm that takes and releases it. The layout is the kernel's
// robust-futex layout (Documentation/locking/robust-futex-ABI.rst), so the
// kernel can mark a RobustLock's word when its holder dies:
//   bits 0-29  owner: kernel thread id (gettid) of the holder, 0 when free
//   bit 30     kOwnerDied: set by the kernel when the holder died holding it
//              (only RobustLock registers words with the kernel)
//   bit 31     kWaiters: someone may be asleep in FUTEX_WAIT on this word
// States:  0                      free
//          tid                    held by tid, nobody asleep: release is one exchange
//          tid | kWaiters         held by tid, sleepers possible: release wakes one
//          kOwnerDied [| kWaiters] free, its last holder died holding it
// Acquire: CAS a free word (owner 0) to tid, keeping kWaiters; spin on loads
// with Backoff; then set kWaiters and sleep on the exact value seen. A waiter
// that slept takes the word as tid | kWaiters: it cannot know whether it was
// the last sleeper. The kernel's death handling keeps kWaiters and wakes one.
// Release: exchange the word to 0, wake one sleeper if kWaiters was set.
// Fairness: none (barging): a waiter can lose to newcomers again and again.
#pragma once

#include <atomic>
#include <chrono>
#include <cstdint>
#include <optional>

namespace billiard {

class OwnerWord {
 public:
  static constexpr std::uint32_t kOwnerMask = 0x3fff'ffffu;
  static constexpr std::uint32_t kOwnerDied = 0x4000'0000u;
  static constexpr std::uint32_t kWaiters = 0x8000'0000u;

  // Uncontended acquire: one CAS from 0.
  bool try_acquire_free(std::uint32_t self) noexcept {
    std::uint32_t seen = 0;
    return word_.compare_exchange_strong(seen, self,
                                         std::memory_order_acquire,   // pairs with release()'s exchange
                                         std::memory_order_relaxed);  // failure: nothing read is used
  }

  // Takes the word if its owner bits are 0 (free, or free after a death).
  // Returns the word it replaced, or kOwnerMask if the word is held.
  std::uint32_t try_acquire(std::uint32_t self) noexcept;

  // Spins, then sleeps until it takes the word or the deadline passes
  // (std::nullopt: no deadline). Returns the word it replaced (so the caller
  // sees kOwnerDied), or kHeld on time-out. With a recheck period, no single
  // sleep is longer: a sleeper re-reads the word at least that often, so a wake
  // lost to a process that died between its release and its wake is a delay,
  // not a hang (RobustLock; tests/model/robust_lock.pml, DIE_ANYWHERE).
  std::uint32_t acquire_contended(std::uint32_t self,
                                  std::optional<std::chrono::steady_clock::time_point> deadline,
                                  std::chrono::nanoseconds recheck = std::chrono::nanoseconds::zero()) noexcept;

  // Frees the word and wakes one sleeper if there may be one.
  void release() noexcept {
    const std::uint32_t previous = word_.exchange(0, std::memory_order_release);  // publishes the critical section
    // After the release the word may be re-taken or even reused: a wake is
    // only a hint, and sleepers re-check the word.
    if (previous & kWaiters) [[unlikely]] wake_one();
  }

  std::uint32_t owner() const noexcept {
    return word_.load(std::memory_order_relaxed) & kOwnerMask;  // relaxed: a report, orders nothing
  }
  std::uint32_t raw() const noexcept { return word_.load(std::memory_order_relaxed); }

  static constexpr std::uint32_t kHeld = kOwnerMask;  // the "did not acquire" result

 private:
  [[gnu::cold, gnu::noinline]] void wake_one() noexcept;

  std::atomic<std::uint32_t> word_{0};
};

static_assert(sizeof(OwnerWord) == sizeof(std::uint32_t));

}  // namespace billiard
