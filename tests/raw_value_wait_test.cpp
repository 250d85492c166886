// RawValue<T>::wait / notify across processes, for every size a RawValue holds.
#include <catch2/catch.hpp>

#include <chrono>
#include <cstdint>
#include <cstring>
#include <thread>
#include <vector>

#include "billiard/billiard.hpp"
#include "billiard/test/support.hpp"

using billiard::RawValue;
using billiard::test::expect;
using billiard::test::join_all;
using namespace std::chrono_literals;

namespace {

struct Pair {  // 16 bytes: double-width compare-and-swap
  std::int64_t a, b;
};
struct Big {  // 40 bytes: plain copies
  std::int64_t f[5];
};

// A T whose bytes all hold `n`, so two values differ exactly when n does.
template <class T>
T make(int n) {
  T t;
  std::memset(static_cast<void*>(&t), n, sizeof(T));
  return t;
}

}  // namespace

TEMPLATE_TEST_CASE("wait returns only after another process changes the value, then notify_all wakes all",
                   "[raw_value][wait][fork]", char, short, int, long, float, double, Pair, Big) {
  constexpr int kWaiters = 4;
  RawValue<TestType> v(make<TestType>(1));
  RawValue<int> returned(0);
  std::vector<billiard::Process> kids;
  for (int i = 0; i < kWaiters; ++i)
    kids.emplace_back([&] {
      v.wait(make<TestType>(1));
      const TestType now = v.load();
      const TestType two = make<TestType>(2);
      expect(std::memcmp(static_cast<const void*>(&now), static_cast<const void*>(&two), sizeof(TestType)) == 0,
             "wait returned while the value was not yet changed");
      returned.fetch_add(1);
    });
  for (auto& k : kids) k.start();
  std::this_thread::sleep_for(100ms);
  v.notify_all();  // the value has not changed: everyone must go back to sleep
  std::this_thread::sleep_for(100ms);
  CHECK(returned.load() == 0);
  v.store(make<TestType>(2));
  v.notify_all();
  join_all(kids);
  CHECK(returned.load() == kWaiters);
}

TEST_CASE("notify_one wakes one sleeper at a time", "[raw_value][wait][fork]") {
  constexpr int kWaiters = 3;
  RawValue<int> v(0);
  RawValue<int> returned(0);
  std::vector<billiard::Process> kids;
  for (int i = 0; i < kWaiters; ++i)
    kids.emplace_back([&] {
      v.wait(0);
      returned.fetch_add(1);
    });
  for (auto& k : kids) k.start();
  // All asleep in the kernel by now, and halfway between two of their
  // kWakerDeathRecheck re-checks (100 ms): a re-check that finds the value
  // changed returns without a notify (as it must), so the notifies below come
  // at least 50 ms before the next one. (At 200 ms they met it: 3 returned
  // after the second notify_one, once in CI.)
  std::this_thread::sleep_for(150ms);
  static_assert(billiard::detail::kWakerDeathRecheck == 100ms);
  v.store(1);
  for (int woken = 1; woken <= kWaiters; ++woken) {
    v.notify_one();
    const auto bound = std::chrono::steady_clock::now() + 10s;
    while (returned.load() < woken && std::chrono::steady_clock::now() < bound) std::this_thread::sleep_for(1ms);
    REQUIRE(returned.load() == woken);
  }
  join_all(kids);
}

TEMPLATE_TEST_CASE("timed waits return false by their deadline and not before it", "[raw_value][wait]", int,
                   Pair, Big) {
  RawValue<TestType> v(make<TestType>(3));
  const auto start = std::chrono::steady_clock::now();
  CHECK_FALSE(v.wait_for(make<TestType>(3), 50ms));
  const auto waited = std::chrono::steady_clock::now() - start;
  CHECK(waited >= 50ms);
  CHECK(waited < 50ms + 2s);  // a generous bound for a loaded machine: it must not hang

  const auto deadline = std::chrono::steady_clock::now() + 30ms;
  CHECK_FALSE(v.wait_until(make<TestType>(3), deadline));
  CHECK(std::chrono::steady_clock::now() >= deadline);
  CHECK_FALSE(v.wait_until(make<TestType>(3), std::chrono::system_clock::now() + 10ms));

  CHECK(v.wait_for(make<TestType>(4), 10s));  // already different: at once
}

TEST_CASE("a timed wait returns true when another process changes the value", "[raw_value][wait][fork]") {
  RawValue<long> v(0);
  billiard::Process setter([&] {
    std::this_thread::sleep_for(50ms);
    v.store(5);
    v.notify_all();
  });
  setter.start();
  const auto start = std::chrono::steady_clock::now();
  CHECK(v.wait_for(0L, 30s));
  CHECK(std::chrono::steady_clock::now() - start < 20s);
  CHECK(v.load() == 5);
  REQUIRE(setter.join(billiard::test::kJoinBound));
  CHECK(setter.exitcode() == 0);
}

TEST_CASE("a waiter killed asleep does not absorb the wake-up of a live one", "[raw_value][wait][fork][death]") {
  RawValue<int> v(0);
  RawValue<int> returned(0);
  billiard::Process doomed([&] { v.wait(0); });
  doomed.start();
  std::this_thread::sleep_for(100ms);
  billiard::Process live([&] {
    v.wait(0);
    returned.store(1);
  });
  live.start();
  std::this_thread::sleep_for(100ms);
  doomed.kill();
  REQUIRE(doomed.join(billiard::test::kJoinBound));
  v.store(1);
  v.notify_one();  // the dead sleeper left the kernel's queue: the live one gets it
  REQUIRE(live.join(10s));
  CHECK(live.exitcode() == 0);
  CHECK(returned.load() == 1);
}

TEST_CASE("threads wait and notify on one RawValue", "[raw_value][wait][threads]") {
  constexpr int kThreads = 4, kRounds = 200;
  RawValue<int> turn(0);
  std::vector<std::thread> threads;
  for (int t = 0; t < kThreads; ++t)
    threads.emplace_back([&, t] {
      for (int r = 0; r < kRounds; ++r) {
        const int mine = r * kThreads + t;
        for (int seen = turn.load(); seen != mine; seen = turn.load()) turn.wait(seen);
        turn.store(mine + 1);
        turn.notify_all();
      }
    });
  for (auto& th : threads) th.join();
  CHECK(turn.load() == kThreads * kRounds);
}
