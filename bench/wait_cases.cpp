// How long lock() waits, and the floor an uncontended lock is measured against:
//   uncontended/two_rmw_floor   one process: a CAS, an increment and an exchange
//                               on one word, nothing else (what lock + increment
//                               + unlock cannot beat: two atomic read-modify-writes)
//   waits/<lock>/procs:N        N = 2 or 4 processes re-lock at once for kWaitRun:
//                               every lock() wait goes into a histogram; p50, p99
//                               and the longest, and the throughput of the run
// The kinds are bench/counters.hpp's LockKinds plus FutexLock_barging: the
// same OwnerWord without the hand-off (FutexLock before bounded unfairness),
// so "throughput >= 0.9x the barging FutexLock" is measured in the same run.
#include <algorithm>
#include <array>
#include <atomic>
#include <bit>
#include <chrono>
#include <cstdint>
#include <cstdlib>
#include <optional>
#include <string>

#include "bench/cases.hpp"
#include "bench/counters.hpp"
#include "bench/harness.hpp"
#include "billiard/locks/owner_word.hpp"
#include "billiard/locks/thread_id.hpp"

namespace billiard::bench {
namespace {

// FutexLock's algorithm with Fairness::barging: what FutexLock was before
// issue 14. Only here, as a reference.
class BargingFutexLock {
 public:
  static constexpr const char* kName = "FutexLock_barging";
  void lock() {
    const std::uint32_t self = current_tid();
    if (!word_.try_acquire_free(self)) [[unlikely]]
      word_.acquire_contended(self, std::nullopt, Fairness::barging);
  }
  void unlock() {
    if (word_.owner() != current_tid()) [[unlikely]] std::abort();  // FutexLock::unlock's check, same cost
    word_.release();
  }

 private:
  OwnerWord word_;
};

// The floor: the two read-modify-writes of a lock round trip, on one word.
class TwoRmwFloor {
 public:
  static std::string name() { return "two_rmw_floor"; }
  void increment() {
    std::uint32_t expected = 0;
    // acquire / release: the orders a lock's CAS and exchange use.
    page_->word.compare_exchange_strong(expected, 1, std::memory_order_acquire, std::memory_order_relaxed);
    ++page_->value;
    page_->word.exchange(0, std::memory_order_release);
  }
  long count() const { return page_->value; }

 private:
  struct Page {
    alignas(kCacheLine) std::atomic<std::uint32_t> word{0};
    alignas(kCacheLine) long value = 0;
  };
  SharedPage<Page> page_;
};

void floor_case(benchmark::State& state) {
  TwoRmwFloor floor;
  for (auto _ : state) floor.increment();
  check_count(state, "count", floor.count(), state.iterations());
}

// A log-linear histogram of nanoseconds: 64 exact buckets below 64 ns, then
// 64 per power of two (at most 1.6% below the value). One per process, in
// the shared page, summed by the parent.
constexpr int kSubBuckets = 64;
constexpr int kBuckets = kSubBuckets * 36;  // up to 2^41 ns, beyond any cap
int bucket_of(std::uint64_t ns) {
  if (ns < kSubBuckets) return static_cast<int>(ns);
  const int top = std::bit_width(ns) - 1;  // >= 6
  const int sub = static_cast<int>((ns >> (top - 6)) & (kSubBuckets - 1));
  return std::min(kBuckets - 1, kSubBuckets + (top - 6) * kSubBuckets + sub);
}
double bucket_floor_ns(int bucket) {
  if (bucket < kSubBuckets) return bucket;
  const int top = (bucket - kSubBuckets) / kSubBuckets + 6;
  const int sub = (bucket - kSubBuckets) % kSubBuckets;
  return static_cast<double>((std::uint64_t{1} << top) + (static_cast<std::uint64_t>(sub) << (top - 6)));
}

constexpr std::chrono::milliseconds kWaitRun{300};
constexpr int kWaitProcs[] = {2, 4};

struct WaitLog {
  std::int64_t stop_at = 0;  // guarded by the lock under test: the first acquisition + kWaitRun
  // Each written by its own process only.
  std::array<std::array<std::uint32_t, kBuckets>, kMaxProcs> histogram{};
  std::array<std::int64_t, kMaxProcs> longest_ns{};
};

template <class L>
void waits(benchmark::State& state, int procs) {
  const std::int64_t run_ns = std::max<std::int64_t>(
      10'000'000, static_cast<std::int64_t>(static_cast<double>(
                      std::chrono::nanoseconds(kWaitRun).count()) * options().scale));
  for (auto _ : state) {
    LockedCounter<L> counter;
    SharedPage<WaitLog> shared;
    const ForkRun run = run_forked(procs, [&](int me) {
      WaitLog& log = *shared;
      auto& histogram = log.histogram[static_cast<std::size_t>(me)];
      std::int64_t longest = 0;
      for (;;) {
        const std::int64_t asked = now_ns();
        counter.lock().lock();
        const std::int64_t got = now_ns();
        longest = std::max(longest, got - asked);
        ++histogram[static_cast<std::size_t>(bucket_of(static_cast<std::uint64_t>(got - asked)))];
        if (log.stop_at == 0) log.stop_at = got + run_ns;
        const bool over = got >= log.stop_at;
        if (!over) ++counter.value();
        counter.lock().unlock();
        if (over) break;
      }
      log.longest_ns[static_cast<std::size_t>(me)] = longest;
    });
    if (!run_ok(state, run, std::to_string(counter.count()) + " acquisitions, not all processes stopped"))
      return;
    const WaitLog& log = *shared;
    std::array<std::uint64_t, kBuckets> all{};
    std::uint64_t waits_seen = 0;
    std::int64_t longest = 0;
    for (int p = 0; p < procs; ++p) {
      const auto at = static_cast<std::size_t>(p);
      for (std::size_t b = 0; b < all.size(); ++b) all[b] += log.histogram[at][b];
      longest = std::max(longest, log.longest_ns[at]);
    }
    for (const std::uint64_t n : all) waits_seen += n;
    // Every acquisition counted and one last one per process (that found the run over).
    if (!check_count(state, "waits recorded", static_cast<long long>(waits_seen), counter.count() + procs)) return;
    const auto quantile_ns = [&](double q) {
      const auto rank = static_cast<std::uint64_t>(q * static_cast<double>(waits_seen - 1));
      std::uint64_t below = 0;
      for (int b = 0; b < kBuckets; ++b) {
        below += all[static_cast<std::size_t>(b)];
        if (below > rank) return bucket_floor_ns(b);
      }
      return bucket_floor_ns(kBuckets - 1);
    };
    state.SetIterationTime(static_cast<double>(run.wall_ns()) / 1e9);
    state.counters["ns_per_op"] = static_cast<double>(run.wall_ns()) / static_cast<double>(counter.count());
    state.counters["acquisitions"] = static_cast<double>(counter.count());
    state.counters["p50_ns"] = quantile_ns(0.50);
    state.counters["p99_ns"] = quantile_ns(0.99);
    state.counters["max_ns"] = static_cast<double>(longest);
  }
  state.counters["procs"] = procs;
}

template <class L>
void register_waits() {
  for (const int procs : kWaitProcs)
    forked(benchmark::RegisterBenchmark(
        ("waits/" + std::string(L::kName) + "/procs:" + std::to_string(procs)).c_str(),
        [procs](benchmark::State& state) { waits<L>(state, procs); }));
}

}  // namespace

void register_wait_cases() {
  benchmark::RegisterBenchmark(("uncontended/" + TwoRmwFloor::name()).c_str(), floor_case)
      ->MinTime(std::max(0.01, 0.2 * options().scale))
      ->Repetitions(3)
      ->ReportAggregatesOnly(true);
  register_waits<BargingFutexLock>();
  for_each_type(LockKinds{}, []<class L>() { register_waits<L>(); });
}

}  // namespace billiard::bench
