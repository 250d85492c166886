// TicketLock's own rules, with real processes: FIFO among live waiters; a
// waiter SIGKILLed while queued (glibc's tst-mutex9 pattern) or a timed waiter
// that gave up is skipped and the lock passes on within the bound in
// locks/ticket_lock.hpp; timed forms keep their place in line; try_lock by the
// holder is false.
#include <catch2/catch.hpp>

#include <signal.h>
#include <time.h>

#include <chrono>
#include <cstdint>
#include <cstdio>
#include <memory>
#include <thread>
#include <vector>

#include "billiard/billiard.hpp"
#include "billiard/test/support.hpp"

using namespace std::chrono_literals;
using billiard::test::expect;
using billiard::test::kJoinBound;

namespace {

std::int64_t now_ns() {
  return std::chrono::duration_cast<std::chrono::nanoseconds>(
             std::chrono::steady_clock::now().time_since_epoch())
      .count();
}

// How long a process that announced itself takes to be queued in lock() and
// asleep: generous, so the order of the queue is the order of the starts.
constexpr auto kSettle = 50ms;

// Who took the lock, in order: each taker appends its id under the lock.
struct Order {
  int taken = 0;
  int who[16] = {};
};

// Starts a child that announces itself, then calls lock(), records itself
// in order and unlocks. The caller lets it settle into the queue.
billiard::Process start_locker(const billiard::Lock<billiard::TicketLock>& lock,
                               const billiard::RawValue<Order>& order, int id) {
  billiard::Process p([lock, order, id] {
    lock.lock();
    Order& o = *order.data();
    o.who[o.taken++] = id;
    lock.unlock();
  });
  p.start();
  std::this_thread::sleep_for(kSettle);
  return p;
}

// Joins within kJoinBound; a child still running then is killed, so that a
// failing test never leaves it behind.
bool joined(billiard::Process& p) {
  const bool ended = p.join(kJoinBound);
  if (!ended) p.kill();
  return ended;
}

std::vector<int> order_of(const billiard::RawValue<Order>& order) {
  const Order& o = *order.data();
  return std::vector<int>(o.who, o.who + o.taken);
}

}  // namespace

TEST_CASE("live waiters are served in the order they queued", "[ticket][fork]") {
  billiard::Lock<billiard::TicketLock> lock;
  billiard::RawValue<Order> order;
  lock.lock();
  std::vector<billiard::Process> kids;
  for (int id = 1; id <= 6; ++id) kids.push_back(start_locker(lock, order, id));
  lock.unlock();
  for (auto& k : kids) {
    REQUIRE(joined(k));
    CHECK(k.exitcode() == 0);
  }
  CHECK(order_of(order) == std::vector<int>{1, 2, 3, 4, 5, 6});
}

TEST_CASE("waiters SIGKILLed while queued are skipped; the live ones keep their order",
          "[ticket][fork][kill]") {
  // Queue behind the parent: live 1, dead, live 2, dead, dead, live 3. The
  // dead ones are killed asleep in lock(), as glibc's tst-mutex9 kills its
  // waiter; the two in a row check that a chain of dead tickets is skipped.
  billiard::Lock<billiard::TicketLock> lock;
  billiard::RawValue<Order> order;
  billiard::RawValue<std::int64_t> released_at, last_taken_at;
  lock.lock();
  std::vector<billiard::Process> live, dead;
  const auto start_dead = [&] {
    dead.push_back(start_locker(lock, order, 99));  // would record 99 if it ever got the lock
  };
  live.push_back(start_locker(lock, order, 1));
  start_dead();
  live.push_back(start_locker(lock, order, 2));
  start_dead();
  start_dead();
  billiard::Process last([lock, order, last_taken_at] {
    lock.lock();
    last_taken_at.store(now_ns());
    Order& o = *order.data();
    o.who[o.taken++] = 3;
    lock.unlock();
  });
  last.start();
  std::this_thread::sleep_for(kSettle);
  for (auto& d : dead) {
    d.kill();
    d.join();
    REQUIRE(d.exitcode() == -SIGKILL);
  }
  released_at.store(now_ns());
  lock.unlock();
  for (auto& k : live) REQUIRE(joined(k));  // the old TicketLock hangs here for good
  REQUIRE(joined(last));
  CHECK(order_of(order) == std::vector<int>{1, 2, 3});
  const double passed_ms = static_cast<double>(last_taken_at.load() - released_at.load()) / 1e6;
  std::printf("ticket_lock_test: 3 dead and 3 live tickets passed in %.3f ms\n", passed_ms);
  CHECK(passed_ms < 1000);  // 3 hand-offs and 3 skips; the skips take at most 2 ms each plus scheduling
  CHECK(lock.try_lock());   // and the queue is empty again
  lock.unlock();
}

TEST_CASE("a dead waiter with nobody behind it is skipped by the next locker", "[ticket][fork][kill]") {
  billiard::Lock<billiard::TicketLock> lock;
  billiard::RawValue<Order> order;
  lock.lock();
  billiard::Process victim = start_locker(lock, order, 99);
  victim.kill();
  victim.join();
  lock.unlock();  // to the dead ticket
  CHECK_FALSE(lock.try_lock());  // its ticket is still the head: try_lock does not wait
  const auto t0 = std::chrono::steady_clock::now();
  CHECK(lock.try_lock_for(1s));  // takes the next ticket and skips the dead head
  const auto waited = std::chrono::steady_clock::now() - t0;
  std::printf("ticket_lock_test: a dead head with nobody behind skipped in %.3f ms\n",
              std::chrono::duration<double, std::milli>(waited).count());
  CHECK(waited < 500ms);
  lock.unlock();
  CHECK(order_of(order).empty());
}

TEST_CASE("a timed waiter that gives up is skipped", "[ticket][fork][timed]") {
  billiard::Lock<billiard::TicketLock> lock;
  billiard::RawValue<Order> order;
  billiard::RawValue<int> gave_up;
  lock.lock();
  billiard::Process timed([lock, gave_up] {
    const auto t0 = std::chrono::steady_clock::now();
    expect(!lock.try_lock_for(100ms), "the holder keeps the lock past the timeout");
    const auto waited = std::chrono::steady_clock::now() - t0;
    expect(waited >= 100ms && waited < 5s, "returns at its deadline");
    gave_up.store(1);
  });
  timed.start();
  std::this_thread::sleep_for(kSettle);
  billiard::Process behind = start_locker(lock, order, 2);  // queued behind the timed ticket
  REQUIRE(joined(timed));
  CHECK(timed.exitcode() == 0);
  CHECK(gave_up.load() == 1);
  lock.unlock();  // to the abandoned ticket: it is skipped
  REQUIRE(joined(behind));
  CHECK(order_of(order) == std::vector<int>{2});
}

TEST_CASE("a timed waiter keeps its place in line", "[ticket][fork][timed]") {
  billiard::Lock<billiard::TicketLock> lock;
  billiard::RawValue<Order> order;
  lock.lock();
  billiard::Process timed([lock, order] {
    expect(lock.try_lock_for(10s), "served in turn long before its deadline");
    Order& o = *order.data();
    o.who[o.taken++] = 1;
    lock.unlock();
  });
  timed.start();
  std::this_thread::sleep_for(kSettle);
  billiard::Process later = start_locker(lock, order, 2);
  lock.unlock();
  REQUIRE(joined(timed));
  REQUIRE(joined(later));
  CHECK(timed.exitcode() == 0);
  CHECK(order_of(order) == std::vector<int>{1, 2});
}

TEST_CASE("timed forms succeed behind a steady queue of lock() callers", "[ticket][fork][timed]") {
  // Two processes take turns with lock(), and a holder lets go only once the
  // other is on its way into lock(): the queue is never empty. Each
  // try_lock_for takes a ticket and is served in turn, long before its
  // deadline; a timed form that needs an empty queue never succeeds.
  constexpr int kTimedTries = 50;
  billiard::Lock<billiard::TicketLock> lock;
  billiard::RawValue<int> stop, timed_ok, busy_waiting;
  std::vector<billiard::Process> busy;
  for (int i = 0; i < 2; ++i) {
    busy.emplace_back([lock, stop, busy_waiting] {
      while (stop.load() == 0) {
        busy_waiting.fetch_add(1);
        lock.lock();
        busy_waiting.fetch_sub(1);
        while (busy_waiting.load() == 0 && stop.load() == 0) {}
        const auto until = std::chrono::steady_clock::now() + 20us;
        while (std::chrono::steady_clock::now() < until) {}
        lock.unlock();
      }
    });
    busy.back().start();
  }
  std::this_thread::sleep_for(20ms);
  billiard::Process timed([lock, timed_ok] {
    for (int i = 0; i < kTimedTries; ++i) {
      if (lock.try_lock_for(100ms)) {
        timed_ok.fetch_add(1);
        lock.unlock();
      }
    }
  });
  timed.start();
  const bool ended = joined(timed);
  stop.store(1);
  for (auto& b : busy) REQUIRE(joined(b));
  REQUIRE(ended);
  CHECK(timed_ok.load() == kTimedTries);  // the old TicketLock starved here
}

TEST_CASE("try_lock by the holder is false; lock and the timed forms throw EDEADLK", "[ticket][errors]") {
  billiard::Lock<billiard::TicketLock> lock;
  lock.lock();
  CHECK_FALSE(lock.try_lock());
  CHECK_THROWS_AS(lock.lock(), std::system_error);
  CHECK_THROWS_AS(lock.try_lock_for(1ms), std::system_error);
  CHECK_THROWS_WITH(lock.try_lock_for(1ms), Catch::Contains("already holds the lock"));
  CHECK(lock.get().owner() == billiard::current_tid());  // still ours, once
  lock.unlock();
  CHECK(lock.get().owner() == 0);
  CHECK(lock.try_lock());
  lock.unlock();
}

TEST_CASE("lock, try_lock and short timed tries exclude each other with exact counts",
          "[ticket][fork]") {
  // Timed tries with deadlines in the microseconds give up while queued, over
  // and over: every abandoned ticket must be skipped and nothing counted twice.
  constexpr int kProcs = 4, kIters = 20'000;
  struct Counts {
    long total;                 // guarded by the lock
    long taken[kProcs];         // each process's own successes
  };
  billiard::Lock<billiard::TicketLock> lock;
  billiard::RawValue<Counts> counts;
  billiard::RawValue<int> inside;
  billiard::test::run_processes(kProcs, [&](int me) {
    Counts& c = *counts.data();
    long mine = 0;
    for (int i = 0; i < kIters; ++i) {
      bool got = false;
      switch ((i + me) % 3) {
        case 0: lock.lock(); got = true; break;
        case 1: got = lock.try_lock(); break;
        default: got = lock.try_lock_for(std::chrono::microseconds(i % 50)); break;
      }
      if (!got) continue;
      // relaxed: RMWs on one word are totally ordered, all this check needs
      if (inside.fetch_add(1, std::memory_order_relaxed) != 0) throw std::logic_error("two holders");
      ++c.total;
      ++mine;
      inside.fetch_sub(1, std::memory_order_relaxed);
      lock.unlock();
    }
    c.taken[me] = mine;
  });
  const Counts& c = *counts.data();
  long sum = 0;
  for (long t : c.taken) sum += t;
  CHECK(c.total == sum);
  CHECK(sum >= kProcs * kIters / 3);  // every lock() call succeeded
  CHECK(lock.try_lock());
  lock.unlock();
}
