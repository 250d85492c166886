// Barrier across processes.
#include <catch2/catch.hpp>

#include <algorithm>
#include <chrono>
#include <stdexcept>
#include <string>
#include <thread>
#include <vector>

#include "billiard/billiard.hpp"
#include "billiard/test/support.hpp"

using billiard::Barrier;
using billiard::RawArray;
using billiard::RawValue;
using billiard::test::expect;
using billiard::test::join_all;
using billiard::test::run_processes;
using billiard::test::until_asleep;
using namespace std::chrono_literals;

TEST_CASE("4 processes x 100 rounds: each round's indices are a permutation of 0..3", "[barrier][fork]") {
  constexpr int kParties = 4, kRounds = 100;
  Barrier barrier(kParties);
  RawArray<int> index(kParties * kRounds);
  RawValue<int> arrived(0);
  run_processes(kParties, [&](int p) {
    for (int r = 0; r < kRounds; ++r) {
      arrived.fetch_add(1);
      const std::size_t i = barrier.wait();
      // Nobody leaves round r before all kParties arrived in it.
      expect(arrived.load() >= (r + 1) * kParties, "released before every party arrived");
      index.store(static_cast<std::size_t>(r * kParties + p), static_cast<int>(i));
    }
  });
  for (int r = 0; r < kRounds; ++r) {
    std::vector<int> seen;
    for (int p = 0; p < kParties; ++p) seen.push_back(index.load(static_cast<std::size_t>(r * kParties + p)));
    std::sort(seen.begin(), seen.end());
    CHECK(seen == std::vector<int>{0, 1, 2, 3});
  }
  CHECK(barrier.n_waiting() == 0);
  CHECK_FALSE(barrier.broken());
}

TEST_CASE("a wait_for time-out breaks the barrier for every waiter, itself too, until reset()", "[barrier][fork]") {
  Barrier barrier(3);
  std::vector<billiard::Process> kids;
  kids.emplace_back([&] {
    try {
      (void)barrier.wait();
    } catch (const billiard::broken_barrier&) {
      return;
    }
    throw std::logic_error("wait() returned from a broken barrier");
  });
  kids.front().start();
  until_asleep(kids);
  CHECK(barrier.n_waiting() == 1);
  const auto start = std::chrono::steady_clock::now();
  CHECK_THROWS_AS(barrier.wait_for(50ms), billiard::broken_barrier);
  const auto waited = std::chrono::steady_clock::now() - start;
  CHECK(waited >= 50ms);
  CHECK(waited < 50ms + 2s);
  join_all(kids);
  CHECK(barrier.broken());
  CHECK(barrier.n_waiting() == 0);
  CHECK_THROWS_AS(barrier.wait(), billiard::broken_barrier);  // and later ones, until reset()

  barrier.reset();
  CHECK_FALSE(barrier.broken());
  RawValue<int> passed(0);
  run_processes(3, [&](int) {
    (void)barrier.wait_for(60s);
    passed.fetch_add(1);
  });
  CHECK(passed.load() == 3);
}

TEST_CASE("abort() and reset() break a waiting round", "[barrier][fork]") {
  for (const bool abort : {true, false}) {
    Barrier barrier(2);
    RawValue<int> broken(0);
    std::vector<billiard::Process> kids;
    kids.emplace_back([&] {
      try {
        (void)barrier.wait();
      } catch (const billiard::broken_barrier&) {
        broken.store(1);
      }
    });
    kids.front().start();
    until_asleep(kids);
    if (abort)
      barrier.abort();
    else
      barrier.reset();
    join_all(kids);
    CHECK(broken.load() == 1);
    CHECK(barrier.broken() == abort);
  }
}

TEST_CASE("a party killed while waiting still counts as arrived", "[barrier][fork][death]") {
  Barrier barrier(3);
  std::vector<billiard::Process> doomed;
  doomed.emplace_back([&] { (void)barrier.wait(); });
  doomed.front().start();
  until_asleep(doomed);
  doomed.front().kill();
  REQUIRE(doomed.front().join(billiard::test::kJoinBound));
  std::vector<billiard::Process> live;
  live.emplace_back([&] { expect(barrier.wait_for(60s) <= 2, "an index"); });
  live.front().start();
  CHECK(barrier.wait_for(60s) <= 2);
  join_all(live);
  CHECK_FALSE(barrier.broken());
}

TEST_CASE("parties 0 throws std::invalid_argument naming it", "[barrier][misuse]") {
  CHECK_THROWS_MATCHES(Barrier(0), std::invalid_argument,
                       Catch::Predicate<std::invalid_argument>([](const std::invalid_argument& e) {
                         return std::string(e.what()).find("parties 0") != std::string::npos;
                       }));
  Barrier one(1);
  CHECK(one.wait() == 0);
  CHECK(one.parties() == 1);
}

TEST_CASE("threads: rounds on one barrier", "[barrier][threads]") {
  constexpr int kThreads = 4, kRounds = 200;
  Barrier barrier(kThreads);
  RawValue<long> sum(0);
  std::vector<std::thread> threads;
  for (int t = 0; t < kThreads; ++t)
    threads.emplace_back([&] {
      for (int r = 0; r < kRounds; ++r) sum.fetch_add(static_cast<long>(barrier.wait()));
    });
  for (auto& t : threads) t.join();
  CHECK(sum.load() == kRounds * (0 + 1 + 2 + 3));
}
