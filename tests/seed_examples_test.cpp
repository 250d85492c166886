// The seed's Python examples (../shared/seed/billiard-sharedctypes.txt), in
// C++, with their sleeps shortened and their printed results asserted.
#include <catch2/catch.hpp>

#include <algorithm>
#include <chrono>
#include <limits>
#include <mutex>
#include <numeric>
#include <optional>
#include <random>
#include <thread>
#include <vector>

#include "billiard/billiard.hpp"
#include "billiard/test/support.hpp"

using namespace std::chrono_literals;
using billiard::test::expect;
using billiard::test::run_processes;

TEST_CASE("worker_with_shared_value: 3 workers x 5 locked read-sleep-writes = 15", "[seed][fork]") {
  billiard::Value<int> counter(0);
  run_processes(3, [&](int) {
    for (int i = 0; i < 5; ++i) {
      auto g = counter.lock();
      const int old_value = *g;
      std::this_thread::sleep_for(1ms);  // simulate some work, as the seed does
      *g = old_value + 1;
    }
  });
  CHECK(counter.load() == 15);
  billiard::Value<double> float_value(3.14159);
  CHECK(float_value.load() == 3.14159);
}

TEST_CASE("array_worker and array_reader: each worker fills its part", "[seed][fork]") {
  billiard::Array<int> shared_arr(10);
  run_processes(3, [&](int worker_id) {
    auto g = shared_arr.lock();
    for (int i = 0; i < 3; ++i) g[worker_id * 3 + i] = worker_id * 100 + i;
  });
  billiard::RawValue<long> sum_seen;
  run_processes(1, [&](int) {  // the reader
    const auto v = shared_arr.to_vector();
    sum_seen.store(std::accumulate(v.begin(), v.end(), 0L));
  });
  CHECK(shared_arr.to_vector() == std::vector<int>{0, 1, 2, 100, 101, 102, 200, 201, 202, 0});
  CHECK(sum_seen.load() == 909);
  billiard::Array<int> initialized_array{1, 2, 3, 4, 5};
  CHECK(initialized_array.to_vector() == std::vector<int>{1, 2, 3, 4, 5});
}

TEST_CASE("matrix_worker: one process per row of a flattened 3x4 matrix", "[seed][fork]") {
  constexpr int kRows = 3, kCols = 4;
  billiard::Array<int> matrix(kRows * kCols);
  run_processes(kRows, [&](int row) {
    for (int col = 0; col < kCols; ++col) matrix.store(row * kCols + col, row * kCols + col + 1);
  });
  std::vector<int> expected(kRows * kCols);
  std::iota(expected.begin(), expected.end(), 1);
  CHECK(matrix.to_vector() == expected);
}

TEST_CASE("synchronized_access_example: synchronized() over a RawArray, then copy()", "[seed][fork]") {
  billiard::RawArray<int> raw_arr(10);
  auto sync_arr = billiard::synchronized(raw_arr);
  run_processes(3, [&](int i) {
    const int worker_id = i + 1;
    auto g = sync_arr.lock();
    for (std::size_t k = 0; k < g.size(); ++k) g[k] += worker_id;
  });
  CHECK(sync_arr.to_vector() == std::vector<int>(10, 6));
  CHECK(raw_arr.to_vector() == std::vector<int>(10, 6));  // synchronized() shares the storage
  billiard::RawArray<int> arr_copy = billiard::copy(sync_arr);
  CHECK(arr_copy.data() != raw_arr.data());
  CHECK(arr_copy.to_vector() == std::vector<int>(10, 6));
  auto fair = billiard::synchronized<billiard::TicketLock>(billiard::copy(billiard::RawValue<int>(4)));
  CHECK(fair.load() == 4);
}

namespace {

// The seed's CircularBuffer: the buffer's lock guards head, tail and count.
struct CircularBuffer {
  explicit CircularBuffer(int size) : buffer(static_cast<std::size_t>(size)), size(size) {}

  bool put(int item) const {
    auto g = buffer.lock();
    if (count.load() >= size) return false;  // full
    g[tail.load()] = item;
    tail.store((tail.load() + 1) % size);
    count.store(count.load() + 1);
    return true;
  }
  std::optional<int> get() const {
    auto g = buffer.lock();
    if (count.load() == 0) return std::nullopt;  // empty
    const int item = g[head.load()];
    head.store((head.load() + 1) % size);
    count.store(count.load() - 1);
    return item;
  }

  billiard::Array<int> buffer;
  billiard::RawValue<int> head, tail, count;
  int size;
};

}  // namespace

TEST_CASE("circular buffer: one producer, two consumers, every item exactly once", "[seed][fork]") {
  constexpr int kItems = 2000;
  CircularBuffer circ(5);
  billiard::RawArray<int> seen(kItems);
  billiard::RawValue<int> produced_all;
  billiard::Process producer([&] {
    for (int item = 0; item < kItems; ++item)
      while (!circ.put(item)) std::this_thread::yield();  // wait if the buffer is full
    produced_all.store(1);
  });
  const auto consumer = [&](int) {
    for (;;) {
      if (auto item = circ.get()) {
        seen.fetch_add(static_cast<std::size_t>(*item), 1);
      } else if (produced_all.load() == 1 && circ.count.load() == 0) {
        return;
      } else {
        std::this_thread::yield();
      }
    }
  };
  producer.start();
  run_processes(2, consumer);
  REQUIRE(producer.join(billiard::test::kJoinBound));
  CHECK(seen.to_vector() == std::vector<int>(kItems, 1));
}

TEST_CASE("shared stats: three generators, a reporter sees only consistent snapshots", "[seed][fork]") {
  // The seed guards all four values with count's lock, a recursive one
  // (Python's Value uses an RLock), so .value reads inside the lock are fine.
  using Kind = billiard::RecursiveLock<billiard::FutexLock>;
  billiard::RLock lock;
  billiard::Value<int, Kind> count(0, lock);
  billiard::Value<double, Kind> sum(0.0, lock), min_val(std::numeric_limits<double>::infinity(), lock),
      max_val(-std::numeric_limits<double>::infinity(), lock);
  constexpr int kPerGenerator = 500;
  billiard::RawValue<int> generators_done;

  const auto update = [&](double value) {
    std::scoped_lock g(lock);
    count.store(count.load() + 1);
    sum.store(sum.load() + value);
    if (value < min_val.load()) min_val.store(value);
    if (value > max_val.load()) max_val.store(value);
  };
  billiard::Process reporter([&] {
    long snapshots = 0;
    while (generators_done.load() < 3 || snapshots == 0) {
      std::scoped_lock g(lock);
      const int n = count.load();
      ++snapshots;
      if (n == 0) continue;
      // Every generated value is an integer in [-100, 100]: sums are exact.
      expect(sum.load() >= -100.0 * n && sum.load() <= 100.0 * n, "sum agrees with count");
      expect(min_val.load() <= max_val.load(), "min <= max");
    }
  });
  reporter.start();
  run_processes(3, [&](int seed) {
    std::mt19937 rng(static_cast<unsigned>(seed));
    std::uniform_int_distribution<int> dist(-100, 100);
    for (int i = 0; i < kPerGenerator; ++i) update(dist(rng));
    generators_done.fetch_add(1);
  });
  REQUIRE(reporter.join(billiard::test::kJoinBound));
  CHECK(reporter.exitcode() == 0);

  double expected_sum = 0, lo = 100, hi = -100;
  for (int seed = 0; seed < 3; ++seed) {
    std::mt19937 rng(static_cast<unsigned>(seed));
    std::uniform_int_distribution<int> dist(-100, 100);
    for (int i = 0; i < kPerGenerator; ++i) {
      const int v = dist(rng);
      expected_sum += v, lo = std::min<double>(lo, v), hi = std::max<double>(hi, v);
    }
  }
  CHECK(count.load() == 3 * kPerGenerator);
  CHECK(sum.load() == expected_sum);
  CHECK(min_val.load() == lo);
  CHECK(max_val.load() == hi);
}
