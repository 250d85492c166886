// RobustLock: a holder SIGKILLed mid-section is reported to the next locker,
// who repairs; afterwards the lock is clean. glibc's robust mutexes, which
// share the thread's robust list with ours, keep working.
#include <catch2/catch.hpp>

#include <pthread.h>
#include <signal.h>

#include <cerrno>
#include <chrono>
#include <thread>

#include "billiard/billiard.hpp"
#include "billiard/test/support.hpp"

using namespace std::chrono_literals;
using billiard::test::expect;
using billiard::test::kJoinBound;

namespace {

struct Record {  // updated under the lock; in_progress marks a half-done update
  long in_progress;
  long a, b;  // must agree when no update is in progress
};

// Starts a child that takes lock, half-updates record, and is SIGKILLed there.
void die_holding(const billiard::Value<Record, billiard::RobustLock>& record) {
  billiard::RawValue<int> inside;
  billiard::Process victim([&] {
    auto g = record.lock();
    g->in_progress = 1;
    g->a += 1;  // b not yet
    inside.store(1);
    std::this_thread::sleep_for(60s);
  });
  victim.start();
  while (inside.load() == 0) std::this_thread::yield();
  victim.kill();
  victim.join();
  REQUIRE(victim.exitcode() == -SIGKILL);
}

}  // namespace

TEST_CASE("the next locker after a holder's death is told, repairs, and the lock is clean",
          "[robust][fork]") {
  billiard::Value<Record, billiard::RobustLock> record(Record{0, 5, 5});
  die_holding(record);

  billiard::RobustLock& lock = record.get_lock();
  CHECK(lock.owner() == 0);  // the kernel cleared the dead owner
  bool told = false;
  try {
    lock.lock();
  } catch (const billiard::owner_died& e) {
    told = true;
    CHECK_THAT(e.what(), Catch::Contains("previous holder died"));
  }
  REQUIRE(told);
  CHECK(lock.owner() == billiard::current_tid());  // we hold it now
  Record* r = record.get_obj().data();
  CHECK(r->in_progress == 1);  // the dead holder's half-done update
  r->b = r->a;                 // repair
  r->in_progress = 0;
  lock.unlock();

  CHECK_NOTHROW(record.with_lock([](Record& x) { x.a += 1, x.b += 1; }));  // consistent again
  CHECK(record.load().a == 7);
  CHECK(record.load().b == 7);
}

TEST_CASE("a waiter asleep behind the dying holder is woken and told", "[robust][fork]") {
  billiard::Lock<billiard::RobustLock> lock;
  billiard::RawValue<int> stage;  // 1: victim holds; 2: waiter was told
  billiard::Process victim([&] {
    lock.lock();
    stage.store(1);
    std::this_thread::sleep_for(60s);
  });
  victim.start();
  while (stage.load() == 0) std::this_thread::yield();
  billiard::Process waiter([&] {
    try {
      lock.lock();  // sleeps on the futex until the kernel wakes it at the death
    } catch (const billiard::owner_died&) {
      stage.store(2);
    }
    lock.unlock();
  });
  waiter.start();
  std::this_thread::sleep_for(50ms);
  victim.kill();
  REQUIRE(waiter.join(kJoinBound));
  CHECK(waiter.exitcode() == 0);
  CHECK(stage.load() == 2);
  victim.join();
}

TEST_CASE("try_lock reports a dead holder the same way", "[robust][fork]") {
  billiard::Lock<billiard::RobustLock> lock;
  billiard::Process victim([&] {
    lock.lock();
    std::this_thread::sleep_for(60s);
  });
  victim.start();
  while (lock.get().owner() == 0) std::this_thread::yield();
  CHECK_FALSE(lock.try_lock());
  victim.kill();
  victim.join();
  CHECK_THROWS_AS(lock.try_lock(), billiard::owner_died);
  lock.unlock();
  CHECK(lock.try_lock());
  lock.unlock();
}

TEST_CASE("glibc's robust mutexes and ours share the robust list", "[robust][fork]") {
  // A glibc robust mutex and two of ours, locked and unlocked in interleaved
  // order, then all held by a child that dies: each is reported.
  struct Shared {
    pthread_mutex_t glibc;
  };
  billiard::RawValue<Shared> shared;
  pthread_mutexattr_t attr;
  pthread_mutexattr_init(&attr);
  pthread_mutexattr_setpshared(&attr, PTHREAD_PROCESS_SHARED);
  pthread_mutexattr_setrobust(&attr, PTHREAD_MUTEX_ROBUST);
  pthread_mutex_t* glibc = &shared.data()->glibc;
  REQUIRE(pthread_mutex_init(glibc, &attr) == 0);
  billiard::Lock<billiard::RobustLock> a, b;

  pthread_mutex_lock(glibc);  // list: glibc
  a.lock();                   // a, glibc
  b.lock();                   // b, a, glibc
  a.unlock();                 // b, glibc: our unlink inside glibc's list
  CHECK(pthread_mutex_unlock(glibc) == 0);  // b: glibc's unlink next to ours
  b.unlock();

  billiard::RawValue<int> holding;
  billiard::Process victim([&] {
    a.lock();
    expect(pthread_mutex_lock(glibc) == 0, "glibc lock in the child");
    b.lock();
    holding.store(1);
    std::this_thread::sleep_for(60s);
  });
  victim.start();
  while (holding.load() == 0) std::this_thread::yield();
  victim.kill();
  victim.join();

  CHECK(pthread_mutex_lock(glibc) == EOWNERDEAD);
  CHECK(pthread_mutex_consistent(glibc) == 0);
  CHECK_THROWS_AS(a.lock(), billiard::owner_died);
  CHECK_THROWS_AS(b.lock(), billiard::owner_died);
  b.unlock();
  CHECK(pthread_mutex_unlock(glibc) == 0);
  a.unlock();
  CHECK(pthread_mutex_lock(glibc) == 0);
  CHECK_NOTHROW(a.lock());
  a.unlock();
  CHECK(pthread_mutex_unlock(glibc) == 0);
}

TEST_CASE("RecursiveLock<RobustLock> reports a death once and holds one level", "[robust][fork]") {
  billiard::Lock<billiard::RecursiveLock<billiard::RobustLock>> lock;
  billiard::Process victim([&] {
    lock.lock();
    lock.lock();
    std::this_thread::sleep_for(60s);
  });
  victim.start();
  while (lock.get().owner() == 0) std::this_thread::yield();
  victim.kill();
  victim.join();
  CHECK_THROWS_AS(lock.lock(), billiard::owner_died);
  CHECK(lock.get().depth() == 1);
  lock.lock();
  lock.unlock();
  lock.unlock();
  CHECK(lock.get().owner() == 0);
}
