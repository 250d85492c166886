// Values rather than locks:
//   seqlock_reads/<lock>/gap_ns:G/readers:R
//                                    Value<Quad, lock>::load() in R processes while
//                                    another writes the value, G ns between writes
//   alloc/RawValue<T>/create_kept:N  N RawValue<T> created and kept: time per
//                                    creation, shared bytes, resident memory
//   alloc/RawValue<T>/create_destroy one created and dropped per iteration
//                                    (the arena's free list)
#include <time.h>
#include <unistd.h>

#include <algorithm>
#include <array>
#include <atomic>
#include <chrono>
#include <cstdint>
#include <fstream>
#include <string>
#include <vector>

#include "bench/cases.hpp"
#include "bench/counters.hpp"
#include "bench/harness.hpp"
#include "billiard/billiard.hpp"
#include "billiard/shared_heap.hpp"

namespace billiard::bench {
namespace {

// Four words a writer sets together: a read is whole if all four are equal.
struct Quad {
  long a, b, c, d;
};

struct ReadShared {
  alignas(kCacheLine) std::atomic<std::uint32_t> done{0};  // readers that have made their reads
  alignas(kCacheLine) long writes = 0;
  std::atomic<long> torn{0};
  std::atomic<std::int64_t> reader_cpu_ns{0};  // CPU time the readers' loops used, all readers
};

// This thread's CPU time: on a machine that other work shares, a reader's
// CPU time per read still shows its own cost (cache misses included) where
// its wall time also holds the time it was descheduled.
std::int64_t thread_cpu_ns() {
  timespec ts{};
  clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
  return static_cast<std::int64_t>(ts.tv_sec) * 1'000'000'000 + ts.tv_nsec;
}

constexpr long kReads = 1'000'000;
// The writer's pace and the readers: flat out (each write straight after the
// last) with one reader, or one write about every microsecond (a producer
// publishing a snapshot) with 1, 2 and 4 reader processes (issue 14: reads
// that scale with readers).
struct ReadCase {
  long gap_ns;
  int readers;
};
constexpr ReadCase kReadCases[] = {{0, 1}, {1000, 1}, {1000, 2}, {1000, 4}};

// Process 0 writes Quad{n, n, n, n} for n = 1, 2, ... under the lock, gap_ns
// of work between writes, until processes 1..readers have each made their
// reads with load().
template <class L>
void reads_with_writer(benchmark::State& state, long gap_ns, int readers) {
  const long reads = scaled(kReads);
  for (auto _ : state) {
    Value<Quad, L> value;
    SharedPage<ReadShared> shared;
    const ForkRun run = run_forked(1 + readers, [&](int me) {
      if (me == 0) {
        long n = 0;
        // relaxed: a stop signal; it orders nothing
        while (shared->done.load(std::memory_order_relaxed) < static_cast<std::uint32_t>(readers)) {
          ++n;
          *value.lock() = Quad{n, n, n, n};  // the guard unlocks at the end of this statement
          busy_for(gap_ns);
        }
        shared->writes = n;
      } else {
        long torn = 0;
        const std::int64_t cpu0 = thread_cpu_ns();
        for (long i = 0; i < reads; ++i) {
          const Quad q = value.load();
          torn += !(q.a == q.b && q.b == q.c && q.c == q.d);
        }
        shared->reader_cpu_ns.fetch_add(thread_cpu_ns() - cpu0, std::memory_order_relaxed);  // relaxed: read after the join
        shared->torn.fetch_add(torn, std::memory_order_relaxed);  // relaxed: read after the join
        shared->done.fetch_add(1, std::memory_order_relaxed);      // relaxed: as above
      }
    });
    if (!run_ok(state, run, "the reads")) return;
    if (!check_count(state, "torn reads", shared->torn.load(), 0) ||
        !check_count(state, "last value written", value.load().a, shared->writes))
      return;
    // The readers' wall time: from the release to the last reader's end.
    const auto readers_ns =
        static_cast<double>(*std::max_element(run.elapsed_ns.begin() + 1, run.elapsed_ns.end()));
    const double all_reads = static_cast<double>(reads) * readers;
    state.SetIterationTime(readers_ns / 1e9);
    state.counters["ns_per_read"] = readers_ns / static_cast<double>(reads);  // one reader's pace
    state.counters["reads_per_us"] = all_reads / (readers_ns / 1e3);        // all readers together
    state.counters["cpu_ns_per_read"] = static_cast<double>(shared->reader_cpu_ns.load()) / all_reads;
    state.counters["writes_per_read"] = static_cast<double>(shared->writes) / all_reads;
  }
}

long resident_bytes() {
  std::ifstream statm("/proc/self/statm");
  long size = 0, resident = 0;
  statm >> size >> resident;
  return resident * sysconf(_SC_PAGESIZE);
}

constexpr long kKeptValues = 1'000'000;

template <class T>
void create_kept(benchmark::State& state) {
  const long n = scaled(kKeptValues);
  for (auto _ : state) {
    std::vector<RawValue<T>> values;
    values.reserve(static_cast<std::size_t>(n));
    const detail::SharedHeapStats heap0 = detail::shared_heap_stats();
    const long rss0 = resident_bytes();
    const std::int64_t t0 = now_ns();
    for (long i = 0; i < n; ++i) values.emplace_back(static_cast<T>(i));
    const std::int64_t t1 = now_ns();
    const long rss1 = resident_bytes();
    const detail::SharedHeapStats heap1 = detail::shared_heap_stats();
    long wrong = 0;
    for (long i = 0; i < n; ++i)  // relaxed: this process wrote them
      wrong += values[static_cast<std::size_t>(i)].load(std::memory_order_relaxed) != static_cast<T>(i);
    const std::int64_t t2 = now_ns();
    values.clear();
    const std::int64_t t3 = now_ns();
    const detail::SharedHeapStats heap2 = detail::shared_heap_stats();
    if (!check_count(state, "values that read back wrong", wrong, 0) ||
        !check_count(state, "blocks created", static_cast<long long>(heap1.blocks_in_use - heap0.blocks_in_use), n) ||
        !check_count(state, "blocks left after clear()", static_cast<long long>(heap2.blocks_in_use),
                     static_cast<long long>(heap0.blocks_in_use)))
      return;
    const auto per = [n](double x) { return x / static_cast<double>(n); };
    state.SetIterationTime(static_cast<double>(t1 - t0) / 1e9);
    state.counters["values"] = static_cast<double>(n);
    state.counters["ns_per_create"] = per(static_cast<double>(t1 - t0));
    state.counters["ns_per_destroy"] = per(static_cast<double>(t3 - t2));
    state.counters["shared_bytes_per_value"] = per(static_cast<double>(heap1.bytes_in_use - heap0.bytes_in_use));
    state.counters["rss_growth_MB"] = static_cast<double>(rss1 - rss0) / 1e6;
    state.counters["handles_MB"] = static_cast<double>(n) * sizeof(RawValue<T>) / 1e6;
    state.counters["reserved_growth_MB"] = static_cast<double>(heap1.bytes_reserved - heap0.bytes_reserved) / 1e6;
  }
}

template <class T>
void create_destroy(benchmark::State& state) {
  const std::size_t before = detail::shared_heap_stats().blocks_in_use;
  for (auto _ : state) {
    RawValue<T> value(T{1});
    benchmark::DoNotOptimize(value.data());
  }
  check_count(state, "blocks left in use", static_cast<long long>(detail::shared_heap_stats().blocks_in_use),
              static_cast<long long>(before));
}

}  // namespace

void register_value_cases() {
  for_each_type(TypeList<SeqLock, FutexLock, PthreadMutex>{}, []<class L>() {
    for (const ReadCase c : kReadCases)
      forked(benchmark::RegisterBenchmark(("seqlock_reads/" + std::string(L::kName) + "/gap_ns:" +
                                           std::to_string(c.gap_ns) + "/readers:" + std::to_string(c.readers))
                                              .c_str(),
                                          [c](benchmark::State& state) { reads_with_writer<L>(state, c.gap_ns, c.readers); }));
  });

  with_typecode(options().alloc_typecode, [&]<class T>() {
    const std::string name = "alloc/RawValue<" + std::string(parse_typecode(options().alloc_typecode).name) + ">";
    benchmark::RegisterBenchmark((name + "/create_kept:" + std::to_string(scaled(kKeptValues))).c_str(),
                                 create_kept<T>)
        ->Iterations(1)
        ->UseManualTime()
        ->Unit(benchmark::kMillisecond);
    benchmark::RegisterBenchmark((name + "/create_destroy").c_str(), create_destroy<T>)
        ->MinTime(std::max(0.01, 0.2 * options().scale));
  });
}

}  // namespace billiard::bench
