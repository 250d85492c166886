// What every lock kind promises, checked across all seven with real processes.
#include <catch2/catch.hpp>

#include <sys/wait.h>

#include <cerrno>
#include <chrono>
#include <mutex>
#include <system_error>
#include <thread>
#include <tuple>
#include <vector>

#include "billiard/billiard.hpp"
#include "billiard/test/support.hpp"

using namespace std::chrono_literals;
using billiard::test::expect;
using billiard::test::kJoinBound;

using AllKinds = std::tuple<billiard::FutexLock, billiard::TicketLock, billiard::SpinLock,
                            billiard::PthreadMutex, billiard::RobustLock,
                            billiard::RecursiveLock<billiard::FutexLock>, billiard::SeqLock>;

TEMPLATE_LIST_TEST_CASE("4 processes x 20000 locked increments lose nothing", "[locks][fork]",
                   AllKinds) {
  constexpr long kProcs = 4, kIters = 20'000;
  billiard::Value<long, TestType> total(0);
  billiard::RawValue<int> inside(0);  // holders inside the critical section right now
  billiard::test::run_processes(kProcs, [&](int) {
    for (long i = 0; i < kIters; ++i) {
      auto g = total.lock();
      // relaxed: RMWs on one word are totally ordered, all this check needs
      if (inside.fetch_add(1, std::memory_order_relaxed) != 0) throw std::logic_error("two holders");
      *g += 1;
      inside.fetch_sub(1, std::memory_order_relaxed);
    }
  });
  CHECK(total.load() == kProcs * kIters);
}

TEMPLATE_LIST_TEST_CASE("threads of one process exclude each other too", "[locks][threads]",
                   AllKinds) {
  constexpr int kThreads = 4, kIters = 20'000;
  billiard::Lock<TestType> lock;
  long total = 0;  // plain: the lock alone must make this exact
  std::vector<std::thread> threads;
  for (int t = 0; t < kThreads; ++t)
    threads.emplace_back([&] {
      for (int i = 0; i < kIters; ++i) {
        std::lock_guard guard(lock);
        ++total;
      }
    });
  for (auto& t : threads) t.join();
  CHECK(total == kThreads * kIters);
}

TEMPLATE_LIST_TEST_CASE("unlocking a lock one does not hold throws EPERM", "[locks][errors]",
                   AllKinds) {
  billiard::Lock<TestType> lock;
  const auto eperm = [](const std::system_error& e) { return e.code().value() == EPERM; };
  CHECK_THROWS_MATCHES(lock.unlock(), std::system_error,
                       Catch::Predicate<std::system_error>(eperm, "EPERM"));
  CHECK_THROWS_WITH(lock.unlock(), Catch::Contains("does not hold the lock (owner tid 0)"));
  lock.lock();
  std::thread other([&] { CHECK_THROWS_AS(lock.unlock(), std::system_error); });
  other.join();
  lock.unlock();  // still ours: the failed unlocks changed nothing
  CHECK(lock.try_lock());
  lock.unlock();
}

TEMPLATE_LIST_TEST_CASE("relocking from the holder throws EDEADLK and try_lock says false, except RecursiveLock",
                        "[locks][errors]", AllKinds) {
  billiard::Lock<TestType> lock;
  lock.lock();
  if constexpr (std::is_same_v<TestType, billiard::RecursiveLock<billiard::FutexLock>>) {
    lock.lock();
    CHECK(lock.try_lock());
    CHECK(lock.try_lock_for(1ms));
    CHECK(lock.get().depth() == 4);
    for (int i = 0; i < 3; ++i) lock.unlock();
  } else {
    const auto edeadlk = [](const std::system_error& e) { return e.code().value() == EDEADLK; };
    CHECK_THROWS_MATCHES(lock.lock(), std::system_error,
                         Catch::Predicate<std::system_error>(edeadlk, "EDEADLK"));
    CHECK_THROWS_WITH(lock.lock(), Catch::Contains("already holds the lock"));
    CHECK_THROWS_MATCHES(lock.try_lock_for(1ms), std::system_error,
                         Catch::Predicate<std::system_error>(edeadlk, "EDEADLK"));
    CHECK_THROWS_MATCHES(lock.try_lock_until(std::chrono::steady_clock::now() + 1ms), std::system_error,
                         Catch::Predicate<std::system_error>(edeadlk, "EDEADLK"));
    // POSIX error-checking trylock, Python's acquire(False), Rust's try_lock.
    CHECK_FALSE(lock.try_lock());
    CHECK(lock.get().owner() == billiard::current_tid());  // the refusals changed nothing
  }
  lock.unlock();
  CHECK(lock.get().owner() == 0);
}

TEMPLATE_LIST_TEST_CASE("a fork'd child never believes it holds its parent's lock", "[locks][fork]",
                   AllKinds) {
  billiard::Lock<TestType> lock;
  lock.lock();
  billiard::test::run_processes(1, [&](int) {
    expect(!lock.try_lock(), "the parent holds it, so try_lock fails");
    bool refused = false;
    try {
      lock.unlock();
    } catch (const std::system_error& e) {
      refused = e.code().value() == EPERM;
    }
    expect(refused, "the child may not unlock its parent's lock");
  });
  lock.unlock();
}

TEMPLATE_LIST_TEST_CASE("try_lock_for returns by its deadline behind a live and a dead holder",
                   "[locks][fork][timed]", AllKinds) {
  billiard::Lock<TestType> lock;
  billiard::RawValue<int> holding;
  billiard::Process holder([&] {
    lock.lock();
    holding.store(1);
    std::this_thread::sleep_for(60s);  // killed long before
  });
  holder.start();
  while (holding.load() == 0) std::this_thread::yield();

  auto t0 = std::chrono::steady_clock::now();
  CHECK_FALSE(lock.try_lock_for(50ms));
  auto waited = std::chrono::steady_clock::now() - t0;
  CHECK(waited >= 50ms);
  CHECK(waited < 5s);
  CHECK_FALSE(lock.try_lock_until(std::chrono::system_clock::now() + 20ms));

  holder.kill();
  holder.join();
  t0 = std::chrono::steady_clock::now();
  if constexpr (std::is_same_v<TestType, billiard::RobustLock> || std::is_same_v<TestType, billiard::SeqLock>) {
    CHECK_THROWS_AS(lock.try_lock_for(50ms), billiard::owner_died);  // and now we hold it
    lock.unlock();
    CHECK(lock.try_lock_for(50ms));
    lock.unlock();
  } else {
    CHECK_FALSE(lock.try_lock_for(50ms));  // the dead holder keeps it: no hang, no lie
    waited = std::chrono::steady_clock::now() - t0;
    CHECK(waited >= 50ms);
    CHECK(waited < 5s);
  }
}

TEMPLATE_LIST_TEST_CASE("a sleeping waiter is woken by unlock", "[locks][fork]", AllKinds) {
  billiard::Lock<TestType> lock;
  billiard::RawValue<int> stage;
  lock.lock();
  billiard::Process waiter([&] {
    stage.store(1);
    lock.lock();  // blocks well past any spinning: the sleep path
    stage.store(2);
    lock.unlock();
  });
  waiter.start();
  while (stage.load() == 0) std::this_thread::yield();
  std::this_thread::sleep_for(50ms);
  CHECK(stage.load() == 1);
  lock.unlock();
  REQUIRE(waiter.join(kJoinBound));
  CHECK(waiter.exitcode() == 0);
  CHECK(stage.load() == 2);
}
