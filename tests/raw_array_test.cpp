// RawArray<T>: contiguous, cache-line aligned, bounds-checked atomic access.
#include <catch2/catch.hpp>

#include <cstdint>
#include <limits>
#include <random>
#include <stdexcept>
#include <vector>

#include "billiard/billiard.hpp"
#include "billiard/test/support.hpp"

using billiard::RawArray;
using billiard::test::expect;
using billiard::test::run_processes;

TEST_CASE("RawArray starts at zeros or copies its initializer", "[raw_array]") {
  RawArray<int> zeros(10);
  CHECK(zeros.size() == 10);
  CHECK(zeros.to_vector() == std::vector<int>(10, 0));
  RawArray<int> listed{1, 2, 3};
  CHECK(listed.to_vector() == std::vector<int>{1, 2, 3});
  const std::vector<double> source{0.5, 1.5};
  RawArray<double> copied{std::span<const double>(source)};
  CHECK(copied.to_vector() == source);
  CHECK(reinterpret_cast<std::uintptr_t>(listed.data()) % 64 == 0);
  CHECK(listed.span().size() == 3);
  CHECK(listed.span().data() == listed.data());
}

TEST_CASE("RawArray elements are atomic, checked by load/store, unchecked by []", "[raw_array]") {
  RawArray<long> a(4);
  a.store(0, 5);
  CHECK(a.fetch_add(0, 2) == 5);
  CHECK(a.load(0) == 7);
  CHECK(a.exchange(1, 9) == 0);
  long expected = 9;
  CHECK(a.compare_exchange_strong(1, expected, 10));
  CHECK(a.fetch_sub(1, 1) == 10);
  CHECK(a.fetch_or(2, 6) == 0);
  CHECK(a.fetch_and(2, 4) == 6);
  CHECK(a.fetch_xor(2, 4) == 4);
  a[3] = 11;
  CHECK(a[3].fetch_add(1) == 11);
  CHECK(a.to_vector() == std::vector<long>{7, 9, 0, 12});
}

TEST_CASE("a bad index throws out_of_range naming the index and the size", "[raw_array][errors]") {
  RawArray<int> a(3);
  CHECK_THROWS_MATCHES(a.load(3), std::out_of_range,
                       Catch::Message("billiard::RawArray::load: index 3 is out of range for an "
                                      "array of size 3"));
  CHECK_THROWS_WITH(a.store(100, 1), Catch::Contains("store: index 100") && Catch::Contains("size 3"));
  CHECK_THROWS_AS(a.fetch_add(static_cast<std::size_t>(-1), 1), std::out_of_range);
  CHECK(a.to_vector() == std::vector<int>{0, 0, 0});  // nothing written by the failed calls
}

TEST_CASE("RawArray<char> holds text", "[raw_array][text]") {
  RawArray<char> s(8);
  CHECK(s.value().empty());
  s.set_value("hello");
  CHECK(s.value() == "hello");
  CHECK(s.raw() == std::string("hello\0\0\0", 8));
  s.set_value("12345678");
  CHECK(s.value() == "12345678");
  s.set_value("hi");
  CHECK(s.raw() == std::string("hi\0\0\0\0\0\0", 8));
  CHECK_THROWS_MATCHES(s.set_value("123456789"), std::length_error,
                       Catch::Message("billiard::RawArray<char>::set_value: text of 9 bytes does "
                                      "not fit in an array of size 8"));
  CHECK(s.value() == "hi");
}

TEST_CASE("children write their own parts of one RawArray", "[raw_array][fork]") {
  constexpr int kProcs = 4, kPerProc = 1000;
  RawArray<int> a(kProcs * kPerProc);
  run_processes(kProcs, [&](int p) {
    for (int i = 0; i < kPerProc; ++i) a.store(p * kPerProc + i, p + 1);
  });
  const auto v = a.to_vector();
  for (int p = 0; p < kProcs; ++p)
    for (int i = 0; i < kPerProc; ++i) REQUIRE(v[p * kPerProc + i] == p + 1);
  RawArray<long> counts(2);
  run_processes(kProcs, [&](int) {
    for (int i = 0; i < 10'000; ++i) counts.fetch_add(i % 2, 1);
    expect(counts.size() == 2, "size is shared");
  });
  CHECK(counts.to_vector() == std::vector<long>{kProcs * 5000, kProcs * 5000});
}

TEST_CASE("random indices: in range works, out of range throws and writes nothing", "[raw_array][errors]") {
  std::mt19937_64 rng(2026);
  for (std::size_t size : {std::size_t{1}, std::size_t{7}, std::size_t{64}, std::size_t{1000}}) {
    RawArray<std::uint8_t> a(size);
    std::uniform_int_distribution<std::size_t> any(0, std::numeric_limits<std::size_t>::max());
    for (int trial = 0; trial < 2000; ++trial) {
      const std::size_t i = trial % 2 ? any(rng) : any(rng) % (2 * size);
      if (i < size) {
        a.store(i, 1);
        CHECK(a.load(i) == 1);
        a.store(i, 0);
      } else {
        CHECK_THROWS_WITH(a.store(i, 1), Catch::Contains("index " + std::to_string(i)) &&
                                             Catch::Contains("size " + std::to_string(size)));
      }
    }
    CHECK(a.to_vector() == std::vector<std::uint8_t>(size, 0));
  }
}

// Issue 10, defect 1: n * sizeof(T) wrapped, the array got one slot and
// reported the huge size, and a checked store(8, x) wrote into the next object.
TEST_CASE("an array too large for the address space throws length_error naming its size", "[raw_array][errors]") {
  const RawArray<long> neighbour_before(8);
  constexpr std::size_t kWraps = SIZE_MAX / sizeof(long) + 1;  // kWraps * 8 == 2^64: wraps to 0
  CHECK_THROWS_MATCHES(RawArray<long>(kWraps), std::length_error,
                       Catch::Message("billiard::RawArray: " + std::to_string(kWraps) +
                                      " elements of 8 bytes do not fit in the address space"));
  CHECK_THROWS_AS(RawArray<long>(SIZE_MAX), std::length_error);
  CHECK_THROWS_WITH((billiard::Array<long>(kWraps + 1)), Catch::Contains(std::to_string(kWraps + 1)));
  CHECK_THROWS_AS((billiard::Array<std::int16_t>(SIZE_MAX / 2 + 1)), std::length_error);
  // Fits size_t but not the heap's 32-bit slot count: rejected, never truncated.
  CHECK_THROWS_WITH(RawArray<char>(billiard::detail::kMaxBlockBytes + 1),
                    Catch::Contains(std::to_string(billiard::detail::kMaxBlockBytes + 1) + " bytes"));
  const RawArray<long> neighbour_after(8);
  CHECK(neighbour_before.to_vector() == std::vector<long>(8, 0));
  CHECK(neighbour_after.to_vector() == std::vector<long>(8, 0));
}
