// RecursiveLock's own rules: issue 10, defect 7 (a recycled thread id).
#include <catch2/catch.hpp>

#include <sched.h>

#include <cerrno>
#include <chrono>
#include <system_error>
#include <thread>

#include "billiard/billiard.hpp"
#include "billiard/test/support.hpp"

using namespace std::chrono_literals;
using billiard::test::expect;
using billiard::test::kJoinBound;
using Recursive = billiard::RecursiveLock<billiard::RobustLock>;

namespace {

// Runs body in the first process of a new PID namespace, whose thread id is 1
// whoever ran there before: the real way two threads get one tid without
// waiting for the kernel to wrap its pid counter. A user namespace comes
// along where plain CLONE_NEWPID needs privileges we lack.
template <class F>
void run_as_tid_1(F body) {
  if (unshare(CLONE_NEWPID) != 0 && unshare(CLONE_NEWUSER | CLONE_NEWPID) != 0)
    throw std::system_error(errno, std::generic_category(), "unshare(CLONE_NEWPID)");
  billiard::Process first([&] {
    expect(billiard::current_tid() == 1, "the first process of a PID namespace has tid 1");
    body();
  });
  first.start();
  expect(first.join(kJoinBound), "the namespace's first process ended");
  expect(first.exitcode() == 0, "the namespace's first process succeeded");
}

}  // namespace

// Before the fix, the second tid-1 thread found owner_ == 1 and re-entered
// without the inner lock, which the kernel had freed: the parent then took
// it too (owner_died), and two processes held the lock.
TEST_CASE("a thread that gets a dead holder's tid does not re-enter its lock", "[locks][fork][owner-death]") {
  billiard::Lock<Recursive> lock;
  billiard::RawValue<int> told_owner_died(0), holding(0), release(0);

  billiard::Process dies_holding([&] { run_as_tid_1([&] { lock.lock(); }); });  // exits holding it
  dies_holding.start();
  REQUIRE(dies_holding.join(kJoinBound));
  REQUIRE(dies_holding.exitcode() == 0);
  REQUIRE(lock.get().owner() == 1);  // the stale record a recycled tid 1 would trust

  billiard::Process namesake([&] {
    run_as_tid_1([&] {
      try {
        lock.lock();
      } catch (const billiard::owner_died&) {
        told_owner_died.store(1);  // taken for real, from its dead holder
      }
      expect(lock.get().depth() == 1, "held once, not re-entered");
      holding.store(1);
      while (release.load() == 0) std::this_thread::sleep_for(1ms);
      lock.unlock();
    });
  });
  namesake.start();
  const auto bound = std::chrono::steady_clock::now() + kJoinBound;
  while (holding.load() == 0 && namesake.is_alive() && std::chrono::steady_clock::now() < bound)
    std::this_thread::sleep_for(1ms);
  REQUIRE(holding.load() == 1);

  bool parent_took = false;  // a second holder, beside the namesake
  try {
    parent_took = lock.try_lock_for(100ms);
  } catch (const billiard::owner_died&) {
    parent_took = true;
  }
  if (parent_took) lock.unlock();
  release.store(1);
  const bool ended = namesake.join(kJoinBound);
  if (!ended) namesake.kill();
  REQUIRE(ended);
  CHECK(namesake.exitcode() == 0);
  CHECK_FALSE(parent_took);
  CHECK(told_owner_died.load() == 1);
  CHECK(lock.try_lock());  // whole again and free
  lock.unlock();
}

TEST_CASE("a recursive lock's holder re-enters and unlocks level by level", "[locks]") {
  billiard::Lock<Recursive> lock;
  lock.lock();
  CHECK(lock.try_lock());
  CHECK(lock.try_lock_for(1ms));
  CHECK(lock.get().depth() == 3);
  lock.unlock();
  lock.unlock();
  CHECK(lock.get().depth() == 1);
  lock.unlock();
  CHECK(lock.get().depth() == 0);
  CHECK_THROWS_AS(lock.unlock(), std::system_error);
}
