#include "billiard/locks/pthread_mutex.hpp"

#include <cerrno>
#include <cstdio>
#include <cstdlib>
#include <cstring>

#include "billiard/locks/futex.hpp"
#include "billiard/locks/lock_errors.hpp"
#include "billiard/locks/owner_word.hpp"
#include "billiard/locks/thread_id.hpp"

namespace billiard {
namespace {

// An errno a correct program cannot meet: a bug here or a corrupt mutex.
[[noreturn]] void die(const char* call, int error) {
  std::fprintf(stderr, "billiard::PthreadMutex: %s failed with %d (%s)\n", call, error,
               std::strerror(error));
  std::abort();
}

}  // namespace

PthreadMutex::PthreadMutex() {
  pthread_mutexattr_t attr;
  pthread_mutexattr_init(&attr);
  pthread_mutexattr_setpshared(&attr, PTHREAD_PROCESS_SHARED);
  pthread_mutexattr_settype(&attr, PTHREAD_MUTEX_ERRORCHECK);
  if (const int r = pthread_mutex_init(&mutex_, &attr)) die("pthread_mutex_init", r);
  pthread_mutexattr_destroy(&attr);
}

void PthreadMutex::lock() {
  const std::uint32_t self = current_tid();
#if defined(__SANITIZE_THREAD__)
  // GCC 12's ThreadSanitizer does not intercept pthread_mutex_clocklock and
  // would see no synchronization in the slices: take glibc's plain lock there.
  const int r = pthread_mutex_lock(&mutex_);
#else
  int r = pthread_mutex_trylock(&mutex_);
  while (r == EBUSY || r == ETIMEDOUT) {  // held: sleep a slice at a time (see the header)
    const timespec slice = to_monotonic_timespec(std::chrono::steady_clock::now() + OwnerWord::kRecheck);
    r = pthread_mutex_clocklock(&mutex_, CLOCK_MONOTONIC, &slice);
  }
#endif
  if (r == EDEADLK) detail::throw_relock("PthreadMutex::lock", self);
  if (r != 0) die("pthread_mutex_lock", r);
  owner_.store(self, std::memory_order_relaxed);
}

bool PthreadMutex::try_lock() {
  const std::uint32_t self = current_tid();
  const int r = pthread_mutex_trylock(&mutex_);
  if (r == EBUSY) return false;  // held, by us too: glibc's error-checking trylock says EBUSY
  if (r != 0) die("pthread_mutex_trylock", r);
  owner_.store(self, std::memory_order_relaxed);
  return true;
}

bool PthreadMutex::try_lock_until(std::chrono::steady_clock::time_point deadline) {
  const std::uint32_t self = current_tid();
  const timespec ts = to_monotonic_timespec(deadline);
  const int r = pthread_mutex_clocklock(&mutex_, CLOCK_MONOTONIC, &ts);
  if (r == ETIMEDOUT) return false;
  if (r == EDEADLK) detail::throw_relock("PthreadMutex::try_lock_until", self);
  if (r != 0) die("pthread_mutex_clocklock", r);
  owner_.store(self, std::memory_order_relaxed);
  return true;
}

void PthreadMutex::unlock() {
  const std::uint32_t self = current_tid();
  const std::uint32_t owner = this->owner();
  if (owner != self) detail::throw_not_owner("PthreadMutex::unlock", self, owner);
  owner_.store(0, std::memory_order_relaxed);
  if (const int r = pthread_mutex_unlock(&mutex_)) die("pthread_mutex_unlock", r);
}

}  // namespace billiard
