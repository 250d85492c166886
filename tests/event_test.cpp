// Event across processes.
#include <catch2/catch.hpp>

#include <chrono>
#include <thread>
#include <vector>

#include "billiard/billiard.hpp"
#include "billiard/test/support.hpp"

using billiard::Event;
using billiard::RawValue;
using billiard::test::expect;
using billiard::test::join_all;
using billiard::test::until_asleep;
using namespace std::chrono_literals;

TEST_CASE("set() wakes every waiting process, and only set() does", "[event][fork]") {
  constexpr int kWaiters = 4;
  Event ready;
  RawValue<int> woken(0);
  std::vector<billiard::Process> kids;
  for (int i = 0; i < kWaiters; ++i)
    kids.emplace_back([&] {
      ready.wait();
      expect(ready.is_set(), "wait returned with the event set");
      woken.fetch_add(1);
    });
  for (auto& k : kids) k.start();
  until_asleep(kids);
  std::this_thread::sleep_for(100ms);
  CHECK(woken.load() == 0);
  CHECK_FALSE(ready.is_set());
  ready.set();
  join_all(kids);
  CHECK(woken.load() == kWaiters);
  CHECK(ready.wait_for(0s));  // set: at once
  ready.clear();
  CHECK_FALSE(ready.is_set());
}

TEST_CASE("a set() then clear() pulse still wakes every sleeper with true, as in Python", "[event][fork]") {
  constexpr int kWaiters = 3;
  Event pulse;
  RawValue<int> woken(0);
  std::vector<billiard::Process> kids;
  for (int i = 0; i < kWaiters; ++i)
    kids.emplace_back([&] {
      expect(pulse.wait_for(60s), "the pulse woke us before the deadline");
      woken.fetch_add(1);
    });
  for (auto& k : kids) k.start();
  until_asleep(kids);
  pulse.set();
  pulse.clear();
  join_all(kids);
  CHECK(woken.load() == kWaiters);
  CHECK_FALSE(pulse.is_set());
}

TEST_CASE("timed waits on a clear event return false by their deadline and not before", "[event]") {
  Event e;
  const auto start = std::chrono::steady_clock::now();
  CHECK_FALSE(e.wait_for(50ms));
  const auto waited = std::chrono::steady_clock::now() - start;
  CHECK(waited >= 50ms);
  CHECK(waited < 50ms + 2s);
  const auto deadline = std::chrono::steady_clock::now() + 30ms;
  CHECK_FALSE(e.wait_until(deadline));
  CHECK(std::chrono::steady_clock::now() >= deadline);
  CHECK_FALSE(e.wait_until(std::chrono::system_clock::now() + 5ms));
}

TEST_CASE("a waiter killed asleep costs the others nothing", "[event][fork][death]") {
  Event e;
  std::vector<billiard::Process> doomed;
  doomed.emplace_back([&] { e.wait(); });
  doomed.front().start();
  until_asleep(doomed);
  doomed.front().kill();
  REQUIRE(doomed.front().join(billiard::test::kJoinBound));
  std::vector<billiard::Process> live;
  live.emplace_back([&] { expect(e.wait_for(60s), "woken by set()"); });
  live.front().start();
  until_asleep(live);
  e.set();
  join_all(live);
}

TEST_CASE("threads: rounds of set, wait and clear", "[event][threads]") {
  constexpr int kRounds = 300;
  Event go, done;
  RawValue<int> seen(0);
  std::thread worker([&] {
    for (int r = 0; r < kRounds; ++r) {
      go.wait();
      go.clear();
      seen.fetch_add(1);
      done.set();
    }
  });
  for (int r = 0; r < kRounds; ++r) {
    go.set();
    done.wait();
    done.clear();
  }
  worker.join();
  CHECK(seen.load() == kRounds);
}
