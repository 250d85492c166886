// Issue 10, defect 11: a child made without fork()'s handlers (_Fork here; a
// raw clone is the same) keeps its parent's cached tid and heap state. What
// can be found cheaply is found and throws a clear std::logic_error.
#include <catch2/catch.hpp>

#include <sys/wait.h>
#include <unistd.h>

#include <stdexcept>
#include <string>

#include "billiard/billiard.hpp"

namespace {

// Runs body in a child made by _Fork (no atfork handlers) and returns its
// exit status; body returns the status to exit with.
template <class F>
int in_handlerless_child(F body) {
  const pid_t pid = _Fork();
  REQUIRE(pid >= 0);
  if (pid == 0) _exit(body());
  int status = 0;
  REQUIRE(waitpid(pid, &status, 0) == pid);
  REQUIRE(WIFEXITED(status));
  return WEXITSTATUS(status);
}

// 0: threw logic_error naming _Fork; 2: another exception (what the old code
// threw); 3: no exception at all.
template <class F>
int logic_error_naming_fork(F call) {
  try {
    call();
    return 3;
  } catch (const std::logic_error& e) {
    return std::string(e.what()).find("without fork()'s handlers (_Fork, clone)") != std::string::npos ? 0 : 4;
  } catch (...) {
    return 2;
  }
}

}  // namespace

TEST_CASE("a _Fork child's stale tid cache is an error, not a relock", "[fork][tid]") {
  billiard::Lock<billiard::FutexLock> lock;
  lock.lock();  // caches this thread's tid, which the child inherits
  // Before: the child's lock() saw owner == its cached tid and threw EDEADLK (exit 2).
  CHECK(in_handlerless_child([&] { return logic_error_naming_fork([&] { lock.lock(); }); }) == 0);
  // And unlock() by a child that holds nothing, with its parent's tid cached.
  billiard::Lock<billiard::FutexLock> other;
  CHECK(in_handlerless_child([&] { return logic_error_naming_fork([&] { other.unlock(); }); }) == 0);
  lock.unlock();
}

TEST_CASE("a _Fork child cannot allocate from its parent's shared heap", "[fork][heap]") {
  const billiard::RawValue<long> parents(7);  // the heap is this process's now
  // Before: the allocation carved the parent's next slot (exit 3), which the
  // parent would hand out again: two objects in one place.
  CHECK(in_handlerless_child([] { return logic_error_naming_fork([] { billiard::RawValue<long> mine(1); }); }) == 0);
  const billiard::RawValue<long> next(0);  // still this process's to hand out
  CHECK(parents.load() == 7);
  CHECK(next.load() == 0);
}
