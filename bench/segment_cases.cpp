// Named segments (lib/segment.hpp):
//   segment/find_or_create/name:existing  find_or_create of a name that is there
//   segment/find_or_create/name:new       of a new one (erased in untimed batches)
//   segment/open/                         Segment::open and detach (includes the
//                                         stale-segment scan of /dev/shm)
//   segment/futex_lock/memory:anonymous   FutexLock lock + unlock, one process, in
//   segment/futex_lock/memory:segment     the anonymous heap vs in a segment: must
//                                         be the same within noise
#include <unistd.h>

#include <string>

#include "bench/cases.hpp"
#include "bench/harness.hpp"
#include "billiard/billiard.hpp"

namespace billiard::bench {
namespace {

constexpr std::size_t kBytes = 4 << 20;
constexpr long kNewBatch = 4096;  // names made before an untimed erase of them all

// A remove_when_unused segment of this process: gone when the case ends.
Segment bench_segment(const char* what) {
  return Segment::create("bench." + std::to_string(getpid()) + "." + what, kBytes, remove_when_unused);
}

void find_existing(benchmark::State& state) {
  const Segment seg = bench_segment("existing");
  seg.find_or_create<RawValue<long>>("x");
  for (auto _ : state) benchmark::DoNotOptimize(seg.find_or_create<RawValue<long>>("x").data());
}

void find_new(benchmark::State& state) {
  const Segment seg = bench_segment("new");
  long made = 0;
  for (auto _ : state) {
    benchmark::DoNotOptimize(seg.find_or_create<RawValue<long>>("n" + std::to_string(made++)).data());
    if (made == kNewBatch) {
      state.PauseTiming();
      for (long i = 0; i < made; ++i) seg.erase("n" + std::to_string(i));
      made = 0;
      state.ResumeTiming();
    }
  }
}

void open_segment(benchmark::State& state) {
  const Segment seg = bench_segment("open");
  for (auto _ : state) benchmark::DoNotOptimize(Segment::open(seg.name()).size());
}

void lock_unlock(benchmark::State& state, const Lock<FutexLock>& lock) {
  for (auto _ : state) {
    lock.lock();
    lock.unlock();
  }
}

}  // namespace

void register_segment_cases() {
  benchmark::RegisterBenchmark("segment/find_or_create/name:existing", find_existing);
  benchmark::RegisterBenchmark("segment/find_or_create/name:new", find_new);
  benchmark::RegisterBenchmark("segment/open", open_segment);
  benchmark::RegisterBenchmark("segment/futex_lock/memory:anonymous",
                               [](benchmark::State& state) { lock_unlock(state, Lock<FutexLock>()); });
  benchmark::RegisterBenchmark("segment/futex_lock/memory:segment", [](benchmark::State& state) {
    const Segment seg = bench_segment("lock");
    lock_unlock(state, seg.find_or_create<Lock<FutexLock>>("m"));
  });
}

}  // namespace billiard::bench
