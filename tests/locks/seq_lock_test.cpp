// SeqLock: readers never block and never see a torn value.
#include <catch2/catch.hpp>

#include <cstdint>
#include <thread>

#include "billiard/billiard.hpp"
#include "billiard/test/support.hpp"

using billiard::test::expect;

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
