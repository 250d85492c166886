// ConditionState: the shared part of Condition<L> (lib/condition.hpp), a
// condition variable for any lock kind, between threads and processes.
// Words, beside nothing of the lock's (any kind works):
//   epoch_     the futex word waiters sleep on; each notify that finds a
//              waiter bumps it
//   sleepers_  waiters inside wait() (entered, not yet returned)
//   tokens_    wake-ups granted by notify and not yet taken by a waiter
//   in_kernel_ waiters past their spin, on their way into (or inside)
//              futex_wait: the only ones a futex_wake can reach
// sleepers_ and tokens_ change only with the caller's lock held; epoch_ too
// (it is atomic because waiters read it without the lock); in_kernel_ is
// changed by waiters without the lock.
// Transitions: wait() checks the caller holds the lock, counts itself in
//   sleepers_, reads epoch_, releases the lock (every level of a
//   RecursiveLock), spins (Backoff, about 5 us) watching epoch_, and if it
//   has not moved counts itself in in_kernel_ and sleeps while epoch_ is
//   unchanged. Whatever wakes it (a notify, a signal, the kWakerDeathRecheck
//   period), it leaves in_kernel_, takes the lock again (as deep as before)
//   and returns notified if epoch_ moved since it read it and a token is
//   left, taking the token; on its deadline it returns false; otherwise it
//   reads epoch_ afresh and waits again.
//   notify(n): k = min(n, sleepers_ - tokens_); if k > 0, tokens_ += k, bump
//   epoch_, and futex_wake k if in_kernel_ is not 0.
// No lost wake-up: a waiter reads epoch_ under the lock, so a notify that
//   comes after it released the lock moves an epoch it has read: a spinning
//   waiter sees it move, a waiter not yet in the kernel finds it moved, one
//   in the kernel is on the queue the wake reaches. The notifier skips the
//   wake only when its load of in_kernel_ (after its bump) reads 0; the
//   waiter's increment comes before its futex_wait reads epoch_, all seq_cst,
//   so then the bump precedes that read and the futex_wait returns at once.
//   Every woken or re-checking waiter whose epoch moved takes a token if one
//   is left, so k tokens release k waiters. tests/model/condition.pml checks
//   this and fails on a variant that reads epoch_ after releasing the lock,
//   and on one that counts in_kernel_ after its futex_wait has read epoch_.
// What notify(n) wakes: exactly min(n, waiters not yet notified) returns
//   from wait(), as Python's; which ones is the kernel's queue order (FIFO in
//   practice), except that a spinning or re-checking waiter may take a token
//   before the one the kernel woke, which then sleeps on. A notify with
//   nobody waiting reaches nobody later (as in Python) and makes no system
//   call; nor does one whose waiters are all still spinning.
// Spinning: a notify within about 5 us of the wait (a producer's next item)
//   costs neither side a system call; a longer wait costs 5 us of CPU, then
//   none (tools/stress circular-buffer-blocking, "wait CPU" beside "waited").
// Fairness: as above; the lock is re-taken under its own kind's fairness.
// Misuse: wait or notify without holding the lock (free, or held by another
//   thread or process) throws std::system_error EPERM naming both tids.
// Process death: a waiter killed asleep leaves the kernel's queue, so the
//   wake goes to a live waiter; but it stays counted in sleepers_, so one
//   later notify may grant a token nobody takes at once, and the next
//   notify then releases one waiter more than asked (never fewer); and in
//   in_kernel_, so every later notify makes its futex_wake (slower, never a
//   lost wake-up). A timed out waiter drops tokens_ to sleepers_ when it
//   leaves. A waiter killed re-taking the lock is a holder's death: with
//   RobustLock, wait() (of the next one in) throws owner_died holding the
//   lock again. A notifier killed between the bump and the wake: the waiters
//   re-check within kWakerDeathRecheck and take the tokens.
#pragma once

#include <atomic>
#include <climits>
#include <cstddef>
#include <cstdint>

#include "billiard/atomic/backoff.hpp"
#include "billiard/locks/futex.hpp"
#include "billiard/locks/lock_errors.hpp"
#include "billiard/locks/recursive_lock.hpp"
#include "billiard/locks/thread_id.hpp"
#include "billiard/locks/wait_words.hpp"

namespace billiard {

namespace detail {
template <class L>
inline constexpr bool kIsRecursive = false;
template <class L>
inline constexpr bool kIsRecursive<RecursiveLock<L>> = true;

// EPERM unless the calling thread holds lock: "billiard::Condition::<what>: ..."
template <class L>
void check_holder(const L& lock, const char* where) {
  const std::uint32_t self = current_tid();
  const std::uint32_t owner = lock.owner();
  if (owner != self) [[unlikely]] throw_not_owner(where, self, owner);
}
}  // namespace detail

class ConditionState {
 public:
  ConditionState() noexcept = default;
  ConditionState(const ConditionState&) = delete;
  ConditionState& operator=(const ConditionState&) = delete;

  // Waits with `lock` held by the caller: releases it (every level), sleeps
  // until notified or the deadline (absolute CLOCK_MONOTONIC; nullptr: none),
  // takes it again as deep as it was. false: the deadline passed unnotified.
  template <class L>
  bool wait(L& lock, const timespec* deadline) {
    detail::check_holder(lock, "Condition::wait");
    ++sleepers_;
    for (;;) {
      const std::uint32_t epoch = epoch_.load(std::memory_order_relaxed);  // relaxed: under the lock
      const std::size_t depth = release_all(lock);
      const WaitResult r = sleep(epoch, deadline);
      try {
        restore(lock, depth);
      } catch (const owner_died&) {
        leave();
        throw;
      }
      if (epoch_.load(std::memory_order_relaxed) != epoch && tokens_ > 0) {  // relaxed: under the lock
        --tokens_;
        --sleepers_;
        return true;
      }
      if (r == WaitResult::timed_out) {
        leave();
        return false;
      }
    }
  }

  // With `lock` held: lets up to n waiters return from wait().
  template <class L>
  void notify(const L& lock, std::size_t n) {
    detail::check_holder(lock, "Condition::notify");
    const std::uint32_t waiting = sleepers_ - tokens_;
    if (waiting == 0 || n == 0) return;
    const std::uint32_t k = n < waiting ? static_cast<std::uint32_t>(n) : waiting;
    tokens_ += k;
    // seq_cst, the bump and the load: against sleep()'s increment of in_kernel_
    // and its futex_wait's read of epoch_ (see the header)
    epoch_.fetch_add(1, std::memory_order_seq_cst);
    if (in_kernel_.load(std::memory_order_seq_cst) == 0) return;  // every waiter is still spinning
    futex_wake(epoch_, k >= static_cast<std::uint32_t>(INT_MAX) ? INT_MAX : static_cast<int>(k));
  }

 private:
  // Without the lock: spins while epoch_ == epoch, then sleeps on it. woken
  // when epoch_ moved (or a spurious wake-up), timed_out at the deadline.
  WaitResult sleep(std::uint32_t epoch, const timespec* deadline) {
    for (Backoff backoff; backoff.spin();)
      if (epoch_.load(std::memory_order_relaxed) != epoch) return WaitResult::woken;  // relaxed: the lock re-taken orders what follows
    in_kernel_.fetch_add(1, std::memory_order_seq_cst);  // seq_cst: see notify()
    const WaitResult r = detail::sleep_rechecking(epoch_, epoch, deadline);
    in_kernel_.fetch_sub(1, std::memory_order_relaxed);  // relaxed: a late decrement costs one futex_wake
    return r;
  }

  // Leaves unnotified: a token granted for us goes to those still waiting.
  void leave() noexcept {
    --sleepers_;
    if (tokens_ > sleepers_) tokens_ = sleepers_;
  }

  template <class L>
  static std::size_t release_all(L& lock) {
    if constexpr (detail::kIsRecursive<L>) {
      const std::size_t depth = lock.depth();
      for (std::size_t i = 0; i < depth; ++i) lock.unlock();
      return depth;
    } else {
      lock.unlock();
      return 1;
    }
  }
  // Takes lock depth times. If the first lock() reports owner_died (it holds
  // the lock then), the other levels are restored before it propagates.
  template <class L>
  static void restore(L& lock, std::size_t depth) {
    try {
      lock.lock();
    } catch (const owner_died&) {
      for (std::size_t i = 1; i < depth; ++i) lock.lock();
      throw;
    }
    for (std::size_t i = 1; i < depth; ++i) lock.lock();
  }

  std::atomic<std::uint32_t> epoch_{0};
  std::uint32_t sleepers_ = 0;
  std::uint32_t tokens_ = 0;
  std::atomic<std::uint32_t> in_kernel_{0};
};

}  // namespace billiard
