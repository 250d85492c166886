// Condition<L> across processes, with every lock kind.
#include <catch2/catch.hpp>

#include <cerrno>
#include <chrono>
#include <mutex>
#include <string>
#include <system_error>
#include <thread>
#include <vector>

#include "billiard/billiard.hpp"
#include "billiard/test/support.hpp"

using billiard::Condition;
using billiard::RawValue;
using billiard::test::expect;
using billiard::test::join_all;
using billiard::test::until_asleep;
using billiard::test::until_at_least;
using namespace std::chrono_literals;

namespace {

bool held_by_me(std::uint32_t owner) { return owner == billiard::current_tid(); }

// n processes, each asleep in cv.wait() (in the kernel, past its spin), that
// count themselves in woken when wait() returns.
std::vector<billiard::Process> start_sleepers(const Condition<>& cv, int n, const RawValue<int>& woken) {
  const RawValue<int> entered(0);
  std::vector<billiard::Process> kids;
  for (int i = 0; i < n; ++i)
    kids.emplace_back([cv, entered, woken] {
      std::unique_lock g(cv);
      entered.fetch_add(1);
      cv.wait();
      woken.fetch_add(1);
    });
  for (auto& k : kids) k.start();
  until_at_least(entered, n);
  until_asleep(kids);
  return kids;
}

}  // namespace

TEMPLATE_TEST_CASE("two processes hand a turn back and forth on a Condition, exactly", "[condition][fork]",
                   billiard::FutexLock, billiard::TicketLock, billiard::SpinLock, billiard::PthreadMutex,
                   billiard::RobustLock, billiard::RecursiveLock<billiard::FutexLock>, billiard::SeqLock) {
  constexpr int kTurns = 300;
  Condition<TestType> cv;
  RawValue<int> turn(0);  // even: the parent's move, odd: the child's
  billiard::Process child([&] {
    for (int i = 0; i < kTurns; ++i) {
      std::unique_lock g(cv);
      cv.wait([&] { return turn.load(std::memory_order_relaxed) % 2 == 1; });
      expect(turn.load() == 2 * i + 1, "the child's turn came in order");
      turn.store(turn.load() + 1);
      cv.notify_one();
    }
  });
  child.start();
  for (int i = 0; i < kTurns; ++i) {
    std::unique_lock g(cv);
    REQUIRE(cv.wait_for(30s, [&] { return turn.load(std::memory_order_relaxed) % 2 == 0; }));
    REQUIRE(turn.load() == 2 * i);
    turn.store(turn.load() + 1);
    cv.notify_one();
  }
  REQUIRE(child.join(billiard::test::kJoinBound));
  CHECK(child.exitcode() == 0);
  CHECK(turn.load() == 2 * kTurns);
  CHECK(cv.get_lock().get().owner() == 0);
}

TEST_CASE("wait returns only after a notify; notify_all wakes all N sleepers", "[condition][fork]") {
  constexpr int kWaiters = 4;
  Condition<> cv;
  RawValue<int> woken(0);
  std::vector<billiard::Process> kids = start_sleepers(cv, kWaiters, woken);
  std::this_thread::sleep_for(100ms);
  CHECK(woken.load() == 0);
  {
    std::unique_lock g(cv);
    cv.notify_all();
  }
  join_all(kids);
  CHECK(woken.load() == kWaiters);
}

TEST_CASE("notify(n) wakes exactly n of the sleepers", "[condition][fork]") {
  constexpr int kWaiters = 5;
  Condition<> cv;
  RawValue<int> woken(0);
  std::vector<billiard::Process> kids = start_sleepers(cv, kWaiters, woken);
  {
    std::unique_lock g(cv);
    cv.notify(2);
  }
  until_at_least(woken, 2);
  std::this_thread::sleep_for(200ms);
  CHECK(woken.load() == 2);
  {
    std::unique_lock g(cv);
    cv.notify_one();
  }
  until_at_least(woken, 3);
  std::this_thread::sleep_for(200ms);
  CHECK(woken.load() == 3);
  {
    std::unique_lock g(cv);
    cv.notify_all();
  }
  join_all(kids);
  CHECK(woken.load() == kWaiters);
}

TEST_CASE("a notify with nobody waiting is lost to later waiters, as in Python", "[condition]") {
  Condition<> cv;
  std::unique_lock g(cv);
  cv.notify_all();
  CHECK_FALSE(cv.wait_for(20ms));
}

TEST_CASE("timed waits return false by their deadline, not before, with the lock held", "[condition]") {
  Condition<billiard::TicketLock> cv;
  std::unique_lock g(cv);
  const auto start = std::chrono::steady_clock::now();
  CHECK_FALSE(cv.wait_for(50ms));
  const auto waited = std::chrono::steady_clock::now() - start;
  CHECK(waited >= 50ms);
  CHECK(waited < 50ms + 2s);
  CHECK(held_by_me(cv.get_lock().get().owner()));
  const auto deadline = std::chrono::steady_clock::now() + 30ms;
  CHECK_FALSE(cv.wait_until(deadline, [] { return false; }));
  CHECK(std::chrono::steady_clock::now() >= deadline);
  CHECK_FALSE(cv.wait_until(std::chrono::system_clock::now() + 10ms));
  CHECK(cv.wait_for(1h, [] { return true; }));
  CHECK(held_by_me(cv.get_lock().get().owner()));
}

TEST_CASE("over a RecursiveLock held 3 deep, wait releases every level and restores them", "[condition][fork]") {
  Condition<billiard::RecursiveLock<billiard::FutexLock>> cv;
  RawValue<int> flag(0);
  auto& lock = cv.get_lock().get();
  cv.lock();
  cv.lock();
  cv.lock();
  REQUIRE(lock.depth() == 3);
  billiard::Process child([&] {
    std::unique_lock g(cv);  // only possible if the parent released all 3 levels
    flag.store(1);
    cv.notify_all();
  });
  child.start();
  CHECK(cv.wait_for(30s, [&] { return flag.load() == 1; }));
  CHECK(lock.depth() == 3);
  CHECK(held_by_me(lock.owner()));
  REQUIRE(child.join(billiard::test::kJoinBound));
  CHECK(child.exitcode() == 0);
  cv.unlock();
  cv.unlock();
  CHECK(lock.depth() == 1);
  cv.unlock();
  CHECK(lock.owner() == 0);
}

TEST_CASE("waiting or notifying without holding the lock throws EPERM", "[condition][misuse]") {
  Condition<> cv;
  const auto eperm = [](const std::system_error& e) {
    return e.code().value() == EPERM && std::string(e.what()).find("Condition::") != std::string::npos;
  };
  CHECK_THROWS_MATCHES(cv.wait(), std::system_error, Catch::Predicate<std::system_error>(eperm));
  CHECK_THROWS_MATCHES(cv.wait_for(1ms), std::system_error, Catch::Predicate<std::system_error>(eperm));
  CHECK_THROWS_MATCHES(cv.notify_one(), std::system_error, Catch::Predicate<std::system_error>(eperm));
  CHECK_THROWS_MATCHES(cv.notify_all(), std::system_error, Catch::Predicate<std::system_error>(eperm));

  RawValue<int> held(0), done(0);
  billiard::Process holder([&] {  // another process holds the lock
    std::unique_lock g(cv);
    held.store(1);
    for (int i = 0; i < 20'000 && done.load() == 0; ++i) std::this_thread::sleep_for(1ms);
  });
  holder.start();
  until_at_least(held, 1);
  CHECK_THROWS_MATCHES(cv.wait(), std::system_error, Catch::Predicate<std::system_error>(eperm));
  CHECK_THROWS_MATCHES(cv.notify(3), std::system_error, Catch::Predicate<std::system_error>(eperm));
  done.store(1);
  REQUIRE(holder.join(billiard::test::kJoinBound));
  CHECK(holder.exitcode() == 0);

  Condition<billiard::RecursiveLock<billiard::FutexLock>> rcv;
  CHECK_THROWS_MATCHES(rcv.wait(), std::system_error, Catch::Predicate<std::system_error>(eperm));
}

TEST_CASE("a waiter killed asleep does not absorb the notify_one a live waiter needs", "[condition][fork][death]") {
  Condition<> cv;
  RawValue<int> entered(0), woken(0);
  std::vector<billiard::Process> doomed;
  doomed.emplace_back([&] {
    std::unique_lock g(cv);
    entered.fetch_add(1);
    cv.wait();
  });
  doomed.front().start();
  until_at_least(entered, 1);
  until_asleep(doomed);
  std::vector<billiard::Process> live;
  live.emplace_back([&] {
    std::unique_lock g(cv);
    entered.fetch_add(1);
    cv.wait();
    woken.store(1);
  });
  live.front().start();
  until_at_least(entered, 2);
  until_asleep(live);
  doomed.front().kill();
  REQUIRE(doomed.front().join(billiard::test::kJoinBound));
  {
    std::unique_lock g(cv);
    cv.notify_one();
  }
  REQUIRE(live.front().join(10s));
  CHECK(live.front().exitcode() == 0);
  CHECK(woken.load() == 1);
}

TEST_CASE("threads: producers and consumers on one Condition lose nothing", "[condition][threads]") {
  constexpr int kProducers = 2, kConsumers = 2, kItems = 2000;
  Condition<> cv;
  long pending = 0, got = 0;  // guarded by cv's lock
  std::vector<std::thread> threads;
  for (int p = 0; p < kProducers; ++p)
    threads.emplace_back([&] {
      for (int i = 0; i < kItems; ++i) {
        std::unique_lock g(cv);
        ++pending;
        cv.notify_one();
      }
    });
  for (int c = 0; c < kConsumers; ++c)
    threads.emplace_back([&] {
      for (;;) {
        std::unique_lock g(cv);
        cv.wait([&] { return pending > 0 || got == kProducers * kItems; });
        if (pending == 0) return;
        --pending;
        if (++got == kProducers * kItems) cv.notify_all();
      }
    });
  for (auto& t : threads) t.join();
  CHECK(got == kProducers * kItems);
  CHECK(pending == 0);
}
