// SeqLock: readers never block and never see a torn value; a writer killed
// mid-write is reported to readers and to the next writer; misuse by the
// writer throws; guards give optimistic readers no data race.
#include <catch2/catch.hpp>

#include <signal.h>

#include <algorithm>
#include <cerrno>
#include <chrono>
#include <cstdint>
#include <cstdio>
#include <functional>
#include <iterator>
#include <mutex>
#include <string>
#include <system_error>
#include <thread>
#include <vector>

#include "billiard/billiard.hpp"
#include "billiard/test/support.hpp"

using namespace std::chrono_literals;
using billiard::test::expect;
using billiard::test::kJoinBound;

namespace {

struct Wide {  // 40 bytes: far past any atomic width; the fields must agree
  std::int64_t f[5];
};
Wide wide(std::int64_t v) { return Wide{{v, v, v, v, v}}; }
bool whole(const Wide& w) {
  for (auto x : w.f)
    if (x != w.f[0]) return false;
  return true;
}

std::int64_t now_ns() {  // CLOCK_MONOTONIC: one clock for every process
  return std::chrono::duration_cast<std::chrono::nanoseconds>(std::chrono::steady_clock::now().time_since_epoch())
      .count();
}

bool is_edeadlk(const std::system_error& e) { return e.code().value() == EDEADLK; }

// In a child: f must throw EDEADLK with a message that names SeqLock.
void expect_edeadlk(const std::function<void()>& f, const std::string& what) {
  try {
    f();
  } catch (const std::system_error& e) {
    expect(is_edeadlk(e) && std::string(e.what()).find("SeqLock") != std::string::npos, what + ": " + e.what());
    return;
  }
  expect(false, what + ": returned instead of throwing EDEADLK");
}

// Runs f in a child and requires it to exit 0 within 10 s: a call that would
// wait for itself fails the test instead of hanging it.
void in_child_bounded(const std::function<void()>& f) {
  billiard::Process child(f);
  child.start();
  const bool ended = child.join(10s);
  if (!ended) child.kill();
  REQUIRE(ended);
  REQUIRE(child.exitcode() == 0);
}

}  // namespace

TEST_CASE("readers of a Value<40-byte struct, SeqLock> never see a torn one", "[seqlock][fork]") {
  constexpr std::int64_t kWrites = 100'000;
  billiard::Value<Wide, billiard::SeqLock> value(wide(0));
  billiard::RawValue<int> done;
  billiard::Process writer([&] {
    for (std::int64_t i = 1; i <= kWrites; ++i) value.store(wide(i));
    done.store(1);
  });
  writer.start();
  billiard::test::run_processes(2, [&](int) {
    std::int64_t last = 0;
    long reads = 0;
    while (done.load() == 0 || reads == 0) {
      const Wide w = value.load();
      ++reads;
      expect(whole(w), "a torn read: fields " + std::to_string(w.f[0]) + " and " + std::to_string(w.f[4]));
      expect(w.f[0] >= last, "values go forward");
      last = w.f[0];
    }
  });
  REQUIRE(writer.join(billiard::test::kJoinBound));
  CHECK(writer.exitcode() == 0);
  CHECK(value.load().f[3] == kWrites);
}

// Values that are not whole aligned words: seq_read copies them with byte
// loads around the words, the split decided at run time (relaxed_copy.hpp),
// where Wide's copy folds to five word loads at compile time.
template <class Field, int N>
struct Fields {  // every field holds the same value, truncated to Field
  Field f[N];
  static Fields of(std::int64_t v) {
    Fields x;
    std::fill(std::begin(x.f), std::end(x.f), static_cast<Field>(v));
    return x;
  }
  bool whole() const { return std::all_of(std::begin(f), std::end(f), [&](Field x) { return x == f[0]; }); }
};
using Ints = Fields<std::int32_t, 3>;  // 12 bytes, 4-aligned: straddles a word either way
using Bytes = Fields<unsigned char, 7>;  // 7 bytes, 1-aligned: shorter than a word

TEMPLATE_TEST_CASE("readers of a SeqLock value of any size and alignment never see a torn one", "[seqlock][fork]",
                   Ints, Bytes) {
  constexpr std::int64_t kWrites = 100'000;
  billiard::Value<TestType, billiard::SeqLock> value(TestType::of(0));
  billiard::RawValue<int> done;
  billiard::Process writer([&] {
    for (std::int64_t i = 1; i <= kWrites; ++i) value.store(TestType::of(i));
    done.store(1);
  });
  writer.start();
  billiard::test::run_processes(2, [&](int) {
    long reads = 0;
    while (done.load() == 0 || reads == 0) {
      const TestType v = value.load();
      ++reads;
      expect(v.whole(),
             "a torn read: first field " + std::to_string(+v.f[0]) + ", last " + std::to_string(+std::end(v.f)[-1]));
    }
  });
  REQUIRE(writer.join(billiard::test::kJoinBound));
  CHECK(writer.exitcode() == 0);
  CHECK(+value.load().f[0] == +TestType::of(kWrites).f[0]);
}

TEST_CASE("the sequence is odd exactly while a writer is inside", "[seqlock]") {
  billiard::Lock<billiard::SeqLock> lock;
  billiard::SeqLock& s = lock.get();
  const auto begin = s.read_begin();
  CHECK(begin % 2 == 0);
  CHECK_FALSE(s.read_retry(begin));
  lock.lock();
  CHECK(s.sequence() % 2 == 1);
  lock.unlock();
  CHECK(s.sequence() == begin + 2);
  CHECK(s.read_retry(begin));  // a reader that overlapped retries
}

TEST_CASE("an Array under a SeqLock gives whole snapshots", "[seqlock][fork]") {
  billiard::Array<int, billiard::SeqLock> arr(64);
  billiard::RawValue<int> done;
  billiard::Process writer([&] {
    for (int v = 1; v <= 20'000; ++v) {
      auto g = arr.lock();
      for (int& x : g.span()) x = v;
    }
    done.store(1);
  });
  writer.start();
  long torn = 0;
  while (done.load() == 0) {
    const auto snap = arr.to_vector();
    for (int x : snap)
      if (x != snap[0]) ++torn;
    (void)arr.load(63);
  }
  REQUIRE(writer.join(billiard::test::kJoinBound));
  CHECK(torn == 0);
  CHECK(arr.load(0) == 20'000);
}

TEST_CASE("a writer killed mid-write: readers are told within a bound, never torn; the next writer repairs",
          "[seqlock][fork][robust]") {
  constexpr int kKills = 20, kReaders = 2;
  billiard::Value<Wide, billiard::SeqLock> value(wide(0));
  billiard::SeqLock& lock = value.get_lock();
  billiard::RawValue<int> stage;                   // 1: the victim is mid-write
  billiard::RawArray<std::int64_t> told_ns(kReaders);  // when each reader got owner_died
  std::vector<std::int64_t> latency_ns, reaped_ns;  // from the kill: readers told; the victim reaped
  for (int k = 1; k <= kKills; ++k) {
    stage.store(0);
    billiard::Process victim([&] {
      lock.lock();
      const Wide next = wide(k);
      billiard::relaxed_copy_in(value.get_obj().data(), &next, 16);  // two of five fields: torn
      stage.store(1);
      std::this_thread::sleep_for(60s);  // killed long before
    });
    victim.start();
    std::vector<billiard::Process> readers;
    for (int r = 0; r < kReaders; ++r)
      readers.emplace_back([&, r] {
        for (;;) {
          try {
            const Wide w = value.load();
            expect(whole(w), "a torn read after the writer's death: fields " + std::to_string(w.f[0]) + " and " +
                                 std::to_string(w.f[4]));
          } catch (const billiard::owner_died& e) {
            told_ns.store(static_cast<std::size_t>(r), now_ns());
            expect(std::string(e.what()).find("writer died mid-write") != std::string::npos, e.what());
            return;
          }
        }
      });
    for (auto& r : readers) r.start();
    while (stage.load() == 0) std::this_thread::yield();
    const std::int64_t killed = now_ns();
    victim.kill();
    REQUIRE(victim.join(kJoinBound));
    reaped_ns.push_back(now_ns() - killed);
    REQUIRE(victim.exitcode() == -SIGKILL);
    for (auto& r : readers) {
      const bool ended = r.join(kJoinBound);  // a reader that never learns of the death fails here
      if (!ended) r.kill();
      REQUIRE(ended);
      REQUIRE(r.exitcode() == 0);
    }
    for (int r = 0; r < kReaders; ++r) latency_ns.push_back(told_ns.load(static_cast<std::size_t>(r)) - killed);

    // The next writer holds the lock and is told; its whole write ends it.
    bool told = false;
    try {
      lock.lock();
    } catch (const billiard::owner_died& e) {
      told = true;
      CHECK_THAT(e.what(), Catch::Contains("SeqLock::lock") && Catch::Contains("mid-write"));
    }
    REQUIRE(told);
    CHECK(lock.owner() == billiard::current_tid());
    CHECK(lock.sequence() % 2 == 1);  // still odd: readers keep away until the repair
    {
      auto g = value.lock(std::adopt_lock);
      CHECK_FALSE(whole(*g));  // the dead writer's half
      *g = wide(k);
    }
    CHECK(lock.sequence() % 2 == 0);
    CHECK(whole(value.load()));
    CHECK(value.load().f[4] == k);
    CHECK_NOTHROW(value.store(wide(k)));  // and writers are not told twice
  }
  std::sort(latency_ns.begin(), latency_ns.end());
  std::sort(reaped_ns.begin(), reaped_ns.end());
  const auto us = [](std::int64_t ns) { return static_cast<double>(ns) / 1e3; };
  std::printf("seqlock writer death: %zu readers told after the kill: p50 %.0f us, max %.0f us "
              "(victim reaped after p50 %.0f us, max %.0f us)\n",
              latency_ns.size(), us(latency_ns[latency_ns.size() / 2]), us(latency_ns.back()),
              us(reaped_ns[reaped_ns.size() / 2]), us(reaped_ns.back()));
  CHECK(latency_ns.back() < std::chrono::nanoseconds(5s).count());  // the kernel's exit path plus one yield
}

TEST_CASE("a writer killed holding a guard leaves the value whole; readers and the next writer are told",
          "[seqlock][fork][robust]") {
  billiard::Value<long, billiard::SeqLock> value(7);
  billiard::SeqLock& lock = value.get_lock();
  billiard::RawValue<int> stage;
  billiard::Process victim([&] {
    auto g = value.lock();  // the guard writes a private copy: nothing shared changes before unlock
    *g = 8;
    stage.store(1);
    std::this_thread::sleep_for(60s);
  });
  victim.start();
  while (stage.load() == 0) std::this_thread::yield();
  victim.kill();
  REQUIRE(victim.join(kJoinBound));
  CHECK(*value.get_obj().data() == 7);                  // the guard's copy never reached the storage
  CHECK_THROWS_AS(value.load(), billiard::owner_died);  // but the sequence is odd and the writer gone
  bool told = false;
  try {
    (void)lock.try_lock_for(1s);  // throws, holding the lock
  } catch (const billiard::owner_died& e) {
    told = true;
    CHECK_THAT(e.what(), Catch::Contains("SeqLock::try_lock_until"));
  }
  REQUIRE(told);
  { *value.lock(std::adopt_lock) = 9; }
  CHECK(value.load() == 9);
}

TEST_CASE("the writing holder's reads throw EDEADLK instead of waiting for itself", "[seqlock][errors][fork]") {
  billiard::Value<long, billiard::SeqLock> value(1);
  billiard::Array<int, billiard::SeqLock> arr(4);
  billiard::Array<char, billiard::SeqLock> text(8);
  in_child_bounded([&] {
    auto g = value.lock();
    expect_edeadlk([&] { (void)value.load(); }, "Value::load");
  });
  in_child_bounded([&] {
    auto g = arr.lock();
    expect_edeadlk([&] { (void)arr.load(2); }, "Array::load(i)");
    expect_edeadlk([&] { (void)arr.to_vector(); }, "Array::to_vector");
  });
  in_child_bounded([&] {
    auto g = text.lock();
    expect_edeadlk([&] { (void)text.value(); }, "Array<char>::value");
    expect_edeadlk([&] { (void)text.raw(); }, "Array<char>::raw");
  });
  CHECK(value.load() == 1);  // and the lock is free again
  CHECK(arr.to_vector() == std::vector<int>(4, 0));
}

TEST_CASE("the holder's try_lock is false; lock and the timed forms throw EDEADLK naming SeqLock",
          "[seqlock][errors]") {
  billiard::Lock<billiard::SeqLock> lock;
  lock.lock();
  const auto seq = lock.get().sequence();
  CHECK_FALSE(lock.try_lock());
  const auto edeadlk = Catch::Predicate<std::system_error>(is_edeadlk, "EDEADLK");
  CHECK_THROWS_MATCHES(lock.lock(), std::system_error, edeadlk);
  CHECK_THROWS_WITH(lock.lock(), Catch::Contains("billiard::SeqLock::lock"));
  CHECK_THROWS_MATCHES(lock.try_lock_for(1ms), std::system_error, edeadlk);
  CHECK_THROWS_WITH(lock.try_lock_for(1ms), Catch::Contains("billiard::SeqLock::try_lock_until"));
  CHECK(lock.get().sequence() == seq);  // none of them touched the sequence
  lock.unlock();
  CHECK(lock.get().owner() == 0);
}

// Run under --config=tsan: before the guards wrote a private copy back with
// relaxed atomic stores, TSan reported a data race between the guard's plain
// stores and the readers' atomic loads.
TEST_CASE("guards, with_lock and set_value under a SeqLock race with no reader", "[seqlock][threads]") {
  constexpr int kWrites = 2000;
  billiard::Value<Wide, billiard::SeqLock> value(wide(0));
  billiard::Array<long, billiard::SeqLock> arr(6);
  billiard::Array<char, billiard::SeqLock> text(8);
  std::atomic<bool> done{false};
  std::thread writer([&] {
    for (int i = 1; i <= kWrites; ++i) {
      {
        auto g = value.lock();
        for (auto& f : g->f) f = i;
      }
      value.with_lock([i](Wide& w) { w = wide(i); });
      {
        auto g = arr.lock();
        for (std::size_t j = 0; j < g.size(); ++j) g[j] = i;
      }
      arr.with_lock([i](std::span<long> s) { std::fill(s.begin(), s.end(), i); });
      text.set_value(i % 2 ? "odd" : "even");
    }
    done.store(true);
  });
  long torn = 0, reads = 0;
  std::vector<std::thread> readers;
  std::mutex m;
  for (int r = 0; r < 2; ++r)
    readers.emplace_back([&] {
      long my_torn = 0, my_reads = 0;
      while (!done.load() || my_reads == 0) {
        my_torn += !whole(value.load());
        const auto v = arr.to_vector();
        my_torn += std::count(v.begin(), v.end(), v[0]) != static_cast<long>(v.size());
        const std::string t = text.value();
        my_torn += t != "odd" && t != "even" && !t.empty();
        ++my_reads;
      }
      std::lock_guard<std::mutex> hold(m);
      torn += my_torn;
      reads += my_reads;
    });
  writer.join();
  for (auto& t : readers) t.join();
  CHECK(torn == 0);
  CHECK(reads > 0);
  CHECK(value.load().f[2] == kWrites);
  CHECK(arr.load(5) == kWrites);
  CHECK(text.value() == "even");
}
