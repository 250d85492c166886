#include "billiard/locks/seq_lock.hpp"

#include <sched.h>

#include <string>

#include "billiard/atomic/backoff.hpp"
#include "billiard/locks/lock_errors.hpp"
#include "billiard/locks/thread_id.hpp"

namespace billiard {

bool SeqLock::begin_write() noexcept {
  // relaxed: only the holder of writer_ stores seq_, and we hold it.
  const std::uint32_t s = seq_.load(std::memory_order_relaxed);
  const bool dead_mid_write = (s & 1) != 0;  // the last writer died between its odd and even stores
  if (!dead_mid_write) {
    // release: our taking of writer_ happens before a reader's acquire load of
    // this odd value, so writer_died() cannot take a live writer for a dead one.
    seq_.store(s + 1, std::memory_order_release);
  }
  // Orders the odd value (ours, or the dead writer's that we loaded) before
  // every data store that follows: a reader that copies one of them re-reads
  // an odd or newer sequence after its acquire fence (read_retry) and retries.
  std::atomic_thread_fence(std::memory_order_release);
  return dead_mid_write;
}

void SeqLock::throw_writer_died(const char* where, bool mid_write) const {
  throw owner_died(std::string("billiard::") + where + ": the previous writer died holding the lock" +
                   (mid_write ? " mid-write (the value may be torn)" : " (the value is whole)") + "; tid " +
                   std::to_string(current_tid()) + " now holds it: write the whole value, then unlock");
}

template <class Take>
bool SeqLock::take(const char* where, Take take_writer) {
  bool took;
  try {
    took = take_writer();
  } catch (const owner_died&) {  // we hold writer_ now
    throw_writer_died(where, begin_write());
  }
  if (took) begin_write();
  return took;
}

void SeqLock::lock() {
  const std::uint32_t self = current_tid();
  if (writer_.owner() == self) detail::throw_relock("SeqLock::lock", self);
  take("SeqLock::lock", [this] {
    writer_.lock();
    return true;
  });
}

bool SeqLock::try_lock() {
  if (writer_.owner() == current_tid()) return false;  // as an error-checking pthread_mutex_trylock
  return take("SeqLock::try_lock", [this] { return writer_.try_lock(); });
}

bool SeqLock::try_lock_until(std::chrono::steady_clock::time_point deadline) {
  const std::uint32_t self = current_tid();
  if (writer_.owner() == self) detail::throw_relock("SeqLock::try_lock_until", self);
  return take("SeqLock::try_lock_until", [this, deadline] { return writer_.try_lock_until(deadline); });
}

void SeqLock::unlock() {
  const std::uint32_t self = current_tid();
  if (writer_.owner() != self) detail::throw_not_owner("SeqLock::unlock", self, writer_.owner());
  // release: the data stores happen before a reader's acquire load of this even value.
  seq_.store(seq_.load(std::memory_order_relaxed) + 1, std::memory_order_release);
  writer_.unlock();
}

bool SeqLock::writer_died(std::uint32_t odd) const noexcept {
  // The caller loaded odd with acquire, so the writer's take of writer_ (before
  // its release store of odd) is visible: owner bits 0 mean it let go since.
  const bool free = writer_.owner() == 0;  // relaxed inside owner(); the fence below orders it
  // If free came from the writer's unlock() (a release), this fence makes its
  // even store (made before that unlock) visible to the re-read below, which
  // then differs from odd. So an unchanged odd sequence with writer_ free
  // means the kernel freed writer_: the writer died mid-write.
  std::atomic_thread_fence(std::memory_order_acquire);
  return free && seq_.load(std::memory_order_relaxed) == odd;
}

std::uint32_t SeqLock::wait_for_writer(std::uint32_t odd) const {
  // Only seq_ is read while the spin budget lasts: a writer's critical section
  // is far shorter, and reading writer_ here would cost a miss on its line
  // (and the writer another on its unlock) for nothing.
  Backoff backoff;
  for (;;) {
    if (!backoff.spin()) {  // a writer is still inside after the spin budget: ourselves? alive?
      const std::uint32_t self = current_tid();
      if (writer_.owner() == self) detail::throw_relock("SeqLock::read_begin (load, to_vector)", self);
      if (writer_died(odd))
        throw owner_died("billiard::SeqLock::read_begin: the writer died mid-write (sequence " +
                         std::to_string(odd) + "): no whole value until the next writer writes one");
      sched_yield();
    }
    const std::uint32_t s = seq_.load(std::memory_order_acquire);  // pairs with the writer's release stores
    if ((s & 1) == 0) return s;
    odd = s;
  }
}

}  // namespace billiard
