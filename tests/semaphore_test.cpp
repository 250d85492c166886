// Semaphore and BoundedSemaphore across processes.
#include <catch2/catch.hpp>

#include <cerrno>
#include <chrono>
#include <stdexcept>
#include <string>
#include <system_error>
#include <thread>
#include <vector>

#include "billiard/billiard.hpp"
#include "billiard/test/support.hpp"

using billiard::BoundedSemaphore;
using billiard::RawValue;
using billiard::Semaphore;
using billiard::test::expect;
using billiard::test::join_all;
using billiard::test::run_processes;
using billiard::test::until_asleep;
using namespace std::chrono_literals;

TEMPLATE_TEST_CASE("6 processes through a semaphore of 2: never more than 2 inside, nothing lost",
                   "[semaphore][fork]", Semaphore, BoundedSemaphore) {
  constexpr int kProcs = 6, kIters = 300, kPermits = 2;
  TestType sem(kPermits);
  RawValue<int> inside(0), most(0);
  RawValue<long> passes(0);
  run_processes(kProcs, [&](int) {
    for (int i = 0; i < kIters; ++i) {
      sem.acquire();
      const int now = inside.fetch_add(1) + 1;
      for (int seen = most.load(); now > seen && !most.compare_exchange_weak(seen, now);) {}
      passes.fetch_add(1);
      if (i % 16 == 0) std::this_thread::yield();
      inside.fetch_sub(1);
      sem.release();
    }
  });
  CHECK(passes.load() == kProcs * kIters);
  CHECK(most.load() <= kPermits);
  CHECK(most.load() >= 1);
  CHECK(sem.value() == kPermits);
}

TEST_CASE("release in one process wakes an acquirer asleep in another; release(k) wakes k", "[semaphore][fork]") {
  constexpr int kWaiters = 3;
  Semaphore sem(0);
  RawValue<int> got(0);
  std::vector<billiard::Process> kids;
  for (int i = 0; i < kWaiters; ++i)
    kids.emplace_back([&] {
      sem.acquire();
      got.fetch_add(1);
    });
  for (auto& k : kids) k.start();
  until_asleep(kids);
  std::this_thread::sleep_for(50ms);
  CHECK(got.load() == 0);
  sem.release();
  billiard::test::until_at_least(got, 1);
  std::this_thread::sleep_for(100ms);
  CHECK(got.load() == 1);
  sem.release(kWaiters - 1);
  join_all(kids);
  CHECK(got.load() == kWaiters);
  CHECK(sem.value() == 0);
}

TEST_CASE("timed acquires return false by their deadline and not before", "[semaphore]") {
  Semaphore sem(1);
  CHECK(sem.try_acquire());
  CHECK_FALSE(sem.try_acquire());
  const auto start = std::chrono::steady_clock::now();
  CHECK_FALSE(sem.try_acquire_for(50ms));
  const auto waited = std::chrono::steady_clock::now() - start;
  CHECK(waited >= 50ms);
  CHECK(waited < 50ms + 2s);
  const auto deadline = std::chrono::steady_clock::now() + 30ms;
  CHECK_FALSE(sem.try_acquire_until(deadline));
  CHECK(std::chrono::steady_clock::now() >= deadline);
  sem.release();
  CHECK(sem.try_acquire_for(1h));
  CHECK(sem.value() == 0);
}

TEST_CASE("BoundedSemaphore: release above the initial value throws EOVERFLOW and changes nothing",
          "[semaphore][misuse]") {
  BoundedSemaphore sem(2);
  CHECK_THROWS_MATCHES(sem.release(), std::system_error, Catch::Predicate<std::system_error>([](const auto& e) {
                         return e.code().value() == EOVERFLOW &&
                                std::string(e.what()).find("BoundedSemaphore::release(1)") != std::string::npos;
                       }));
  CHECK(sem.value() == 2);
  sem.acquire();
  sem.acquire();
  CHECK_THROWS_AS(sem.release(3), std::system_error);
  CHECK(sem.value() == 0);
  sem.release(2);
  CHECK(sem.value() == 2);
  Semaphore unbounded(2);
  unbounded.release(5);  // a plain Semaphore may go above its start
  CHECK(unbounded.value() == 7);
}

TEST_CASE("negative counts and release(0) throw std::invalid_argument naming the value", "[semaphore][misuse]") {
  const auto names = [](const char* text) {
    return Catch::Predicate<std::invalid_argument>(
        [text](const std::invalid_argument& e) { return std::string(e.what()).find(text) != std::string::npos; });
  };
  CHECK_THROWS_MATCHES(Semaphore(-1), std::invalid_argument, names("initial value -1"));
  CHECK_THROWS_MATCHES(BoundedSemaphore(-5), std::invalid_argument, names("initial value -5"));
  CHECK_THROWS_MATCHES(Semaphore(1LL << 40), std::invalid_argument, names("1099511627776"));
  Semaphore sem(0);
  CHECK_THROWS_MATCHES(sem.release(0), std::invalid_argument, names("release count 0"));
  CHECK_THROWS_MATCHES(sem.release(-2), std::invalid_argument, names("release count -2"));
  CHECK(sem.value() == 0);
}

TEST_CASE("a holder killed with its permit loses it; an acquirer killed asleep absorbs nothing",
          "[semaphore][fork][death]") {
  Semaphore sem(1);
  RawValue<int> holding(0);
  billiard::Process holder([&] {
    sem.acquire();
    holding.store(1);
    for (;;) std::this_thread::sleep_for(1s);
  });
  holder.start();
  billiard::test::until_at_least(holding, 1);
  holder.kill();
  REQUIRE(holder.join(billiard::test::kJoinBound));
  CHECK(sem.value() == 0);  // documented: the dead holder's permit is lost

  std::vector<billiard::Process> doomed;
  doomed.emplace_back([&] { sem.acquire(); });
  doomed.front().start();
  until_asleep(doomed);
  doomed.front().kill();
  REQUIRE(doomed.front().join(billiard::test::kJoinBound));
  std::vector<billiard::Process> live;
  live.emplace_back([&] { expect(sem.try_acquire_for(60s), "the release reached the live acquirer"); });
  live.front().start();
  until_asleep(live);
  sem.release();
  join_all(live);
  CHECK(sem.value() == 0);
}

TEST_CASE("threads: a semaphore of 1 is a lock", "[semaphore][threads]") {
  constexpr int kThreads = 4, kIters = 2000;
  Semaphore sem(1);
  long total = 0;  // guarded by sem
  std::vector<std::thread> threads;
  for (int t = 0; t < kThreads; ++t)
    threads.emplace_back([&] {
      for (int i = 0; i < kIters; ++i) {
        sem.acquire();
        ++total;
        sem.release();
      }
    });
  for (auto& t : threads) t.join();
  CHECK(total == kThreads * kIters);
}
