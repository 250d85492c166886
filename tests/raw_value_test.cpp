// RawValue<T>: zero-initialized, shared with children, atomic across processes.
#include <catch2/catch.hpp>

#include <cstdint>
#include <cstring>

#include "billiard/billiard.hpp"
#include "billiard/test/support.hpp"

using billiard::RawValue;
using billiard::test::expect;
using billiard::test::run_processes;

namespace {

struct Pair {  // 16 bytes: double-width compare-and-swap
  std::int64_t a, b;
};
struct Big {  // 40 bytes: plain copies, no read-modify-write
  std::int64_t f[5];
};

template <class V>
concept HasFetchAdd = requires(V v) { v.fetch_add(1); };
template <class V>
concept HasExchange = requires(V v) { v.exchange({}); };

static_assert(RawValue<char>::is_always_lock_free);
static_assert(RawValue<short>::is_always_lock_free);
static_assert(RawValue<int>::is_always_lock_free);
static_assert(RawValue<double>::is_always_lock_free);
static_assert(RawValue<Pair>::is_always_lock_free);
static_assert(!RawValue<Big>::is_always_lock_free);
static_assert(HasFetchAdd<RawValue<long>> && HasFetchAdd<RawValue<double>>);
static_assert(!HasFetchAdd<RawValue<Pair>> && HasExchange<RawValue<Pair>>);
static_assert(!HasFetchAdd<RawValue<Big>> && !HasExchange<RawValue<Big>>);

}  // namespace

TEST_CASE("RawValue starts at zero or at its initial value", "[raw_value]") {
  RawValue<int> zero;
  RawValue<int> seven(7);
  RawValue<double> pi(3.25);
  CHECK(zero.load() == 0);
  CHECK(seven.load() == 7);
  CHECK(pi.load() == 3.25);
}

TEST_CASE("RawValue has std::atomic's operations and meaning", "[raw_value]") {
  RawValue<int> v(10);
  CHECK(v.fetch_add(5) == 10);
  CHECK(v.fetch_sub(3, std::memory_order_relaxed) == 15);
  CHECK(++v == 13);
  CHECK(v++ == 13);
  CHECK(--v == 13);
  CHECK((v += 7) == 20);
  CHECK((v -= 20) == 0);
  CHECK(v.exchange(0b1100) == 0);
  CHECK(v.fetch_and(0b0101) == 0b1100);
  CHECK(v.fetch_or(0b0010) == 0b0100);
  CHECK(v.fetch_xor(0b0110) == 0b0110);
  int expected = 99;
  CHECK_FALSE(v.compare_exchange_strong(expected, 1));
  CHECK(expected == 0);
  CHECK(v.compare_exchange_strong(expected, 1, std::memory_order_acq_rel, std::memory_order_acquire));
  CHECK(v.load(std::memory_order_acquire) == 1);

  RawValue<double> d(1.5);
  CHECK(d.fetch_add(2.0) == 1.5);
  CHECK(d.load() == 3.5);
}

TEST_CASE("a copied handle shares the value; a child sees and changes it", "[raw_value][fork]") {
  RawValue<int> v(1);
  RawValue<int> alias = v;
  CHECK(alias.data() == v.data());
  run_processes(1, [&](int) {
    expect(v.load() == 1, "child sees the parent's 1");
    v.store(42);
  });
  CHECK(alias.load() == 42);  // the seed's test_rawvalue round trip
}

TEST_CASE("fetch_add from 4 processes loses nothing", "[raw_value][fork]") {
  constexpr int kProcs = 4;
  constexpr long kIters = 100'000;
  RawValue<long> total;
  run_processes(kProcs, [&](int) {
    for (long i = 0; i < kIters; ++i) total.fetch_add(1, std::memory_order_relaxed);
  });
  CHECK(total.load() == kProcs * kIters);
}

TEST_CASE("a 16-byte value is never torn while another process writes it", "[raw_value][fork]") {
  RawValue<Pair> pair(Pair{0, 0});
  RawValue<int> done;
  constexpr std::int64_t kWrites = 200'000;
  billiard::Process writer([&] {
    for (std::int64_t i = 1; i <= kWrites; ++i) pair.store(Pair{i, -i});
    done.store(1);
  });
  writer.start();
  long torn = 0, reads = 0;
  std::int64_t last = 0;
  bool monotonic = true;
  while (done.load() == 0 || reads == 0) {
    const Pair p = pair.load();
    ++reads;
    if (p.a != -p.b) ++torn;
    if (p.a < last) monotonic = false;
    last = p.a;
  }
  REQUIRE(writer.join(billiard::test::kJoinBound));
  CHECK(writer.exitcode() == 0);
  CHECK(torn == 0);
  CHECK(monotonic);
  CHECK(pair.load().a == kWrites);
  Pair expected{kWrites, -kWrites};
  CHECK(pair.compare_exchange_strong(expected, Pair{1, 2}));
  CHECK(pair.exchange(Pair{3, 4}).b == 2);
}

TEST_CASE("a value larger than 16 bytes is a plain copy", "[raw_value]") {
  RawValue<Big> big;
  Big b{};
  for (int i = 0; i < 5; ++i) b.f[i] = i + 1;
  big.store(b);
  CHECK(std::memcmp(big.data(), &b, sizeof b) == 0);
  CHECK(big.load().f[4] == 5);
}

TEST_CASE("every RawValue has a cache line of its own", "[raw_value][layout]") {
  RawValue<char> a, b, c;
  for (auto* p : {static_cast<void*>(a.data()), static_cast<void*>(b.data()), static_cast<void*>(c.data())})
    CHECK(reinterpret_cast<std::uintptr_t>(p) % 64 == 0);
  const auto line = [](const void* p) { return reinterpret_cast<std::uintptr_t>(p) / 64; };
  CHECK(line(a.data()) != line(b.data()));
  CHECK(line(b.data()) != line(c.data()));
  CHECK(line(a.data()) != line(c.data()));
}
