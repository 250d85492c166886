// Queue<T>'s out-of-line parts that need no T: misuse messages, the futex
// calls of its two wait sides, and the liveness test of a repair.
#include "billiard/queue.hpp"

#include <fcntl.h>
#include <unistd.h>

#include <cerrno>
#include <climits>
#include <cstdio>
#include <cstring>
#include <string>

#include "billiard/locks/futex.hpp"

namespace billiard::detail {

void check_capacity(std::size_t capacity) {
  if (capacity == 0)
    throw std::invalid_argument("billiard::Queue: capacity 0: a queue must hold at least one item");
  if (capacity > kMaxCapacity)
    throw std::length_error("billiard::Queue: capacity " + std::to_string(capacity) + " is above the maximum " +
                            std::to_string(kMaxCapacity));
}

void throw_closed(const char* operation) {
  throw queue_closed(std::string("billiard::Queue::") + operation + ": the queue is closed");
}

void WaitSide::wake() noexcept {
  // seq_cst: one RMW decides which waker wakes this round's sleepers; the
  // others find 0 and make no system call, even before the woken ones run.
  if (sleepers.exchange(0, std::memory_order_seq_cst) == 0) return;
  // relaxed: the sleeper's futex_wait compares the word in the kernel, which
  // orders it; the bump only makes a sleeper that read the old epoch not sleep
  epoch.fetch_add(1, std::memory_order_relaxed);
  futex_wake(epoch, INT_MAX);
}

void sleep_on(WaitSide& side, std::uint32_t epoch, std::optional<std::chrono::steady_clock::time_point> deadline) {
  auto until = std::chrono::steady_clock::now() + kRecheck;
  if (deadline && *deadline < until) until = *deadline;
  const timespec ts = to_monotonic_timespec(until);
  futex_wait(side.epoch, epoch, &ts);  // every result means: look at the queue again
}

bool thread_gone(std::uint32_t tid) noexcept {
  char path[32];
  std::snprintf(path, sizeof path, "/proc/%u/stat", tid);
  const int fd = ::open(path, O_RDONLY | O_CLOEXEC);
  if (fd < 0) return errno == ENOENT || errno == ESRCH;  // other errors: we cannot tell, so alive
  char buf[512];
  const ssize_t n = ::read(fd, buf, sizeof buf - 1);
  ::close(fd);
  if (n <= 0) return n == 0 || errno == ESRCH;  // exited between the open and the read
  buf[n] = '\0';
  // "tid (comm) S ...": the state follows the last ')', since comm may hold one
  const char* paren = std::strrchr(buf, ')');
  if (paren == nullptr || paren[1] == '\0' || paren[2] == '\0') return false;
  return paren[2] == 'Z' || paren[2] == 'X';  // a zombie, or dead
}

}  // namespace billiard::detail
