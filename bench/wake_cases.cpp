// Wake-up latency across processes:
//   wakeup/<primitive>   one process sleeps in the primitive; the other, once
//                        the sleeper has had kAsleepNs to fall asleep in the
//                        kernel, wakes it; latency from the waker's call to
//                        the sleeper running again, p50 and p99
// Primitives: RawValue::notify_one, Condition (FutexLock; latency includes
// re-taking the lock), Event, Semaphore, and in the same run a pshared
// pthread_cond_t (with its pshared pthread_mutex_t) and a POSIX sem_t.
#include <pthread.h>
#include <semaphore.h>

#include <algorithm>
#include <array>
#include <atomic>
#include <cerrno>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <mutex>
#include <string>
#include <vector>

#include "bench/cases.hpp"
#include "bench/counters.hpp"
#include "bench/harness.hpp"
#include "billiard/billiard.hpp"

namespace billiard::bench {
namespace {

constexpr long kWakeRounds = 2'000;
constexpr std::int64_t kAsleepNs = 100'000;  // the sleeper's time to reach the kernel before it is woken

struct WakeLog {
  alignas(kCacheLine) std::atomic<std::uint32_t> ready{0};     // r + 1: round r's sleeper is about to sleep
  alignas(kCacheLine) std::atomic<std::int64_t> woken_at{0};  // the waker's clock just before its call
  alignas(kCacheLine) std::array<std::int64_t, kWakeRounds> latency_ns{};
};

[[noreturn]] void die(const char* call, int error) {
  std::fprintf(stderr, "wake_cases: %s: error %d\n", call, error);
  std::abort();
}

// The glibc baselines, process-shared, in one shared page.
struct PosixPair {
  pthread_mutex_t mutex;
  pthread_cond_t cond;
  sem_t sem;
  std::uint32_t turn = 0;  // guarded by mutex
  PosixPair() {
    pthread_mutexattr_t ma;
    pthread_condattr_t ca;
    pthread_mutexattr_init(&ma);
    pthread_mutexattr_setpshared(&ma, PTHREAD_PROCESS_SHARED);
    pthread_condattr_init(&ca);
    pthread_condattr_setpshared(&ca, PTHREAD_PROCESS_SHARED);
    pthread_condattr_setclock(&ca, CLOCK_MONOTONIC);
    if (const int e = pthread_mutex_init(&mutex, &ma)) die("pthread_mutex_init", e);
    if (const int e = pthread_cond_init(&cond, &ca)) die("pthread_cond_init", e);
    if (sem_init(&sem, 1, 0) != 0) die("sem_init", errno);
  }
};

// Each primitive as two calls: sleep(r) blocks until round r's wake(r).
struct RawValueWake {
  static constexpr const char* kName = "RawValue::notify_one";
  RawValue<std::uint32_t> v{0};
  void sleep(std::uint32_t r) { v.wait(r); }
  void wake(std::uint32_t r) {
    v.store(r + 1);
    v.notify_one();
  }
};
struct ConditionWake {
  static constexpr const char* kName = "Condition";
  Condition<> cv;
  RawValue<std::uint32_t> turn{0};  // under cv's lock
  void sleep(std::uint32_t r) {
    std::unique_lock g(cv);
    cv.wait([&] { return turn.load(std::memory_order_relaxed) != r; });
  }
  void wake(std::uint32_t r) {
    std::unique_lock g(cv);
    turn.store(r + 1, std::memory_order_relaxed);
    cv.notify_one();
  }
};
struct EventWake {
  static constexpr const char* kName = "Event";
  Event e;
  void sleep(std::uint32_t) {
    e.wait();
    e.clear();
  }
  void wake(std::uint32_t) { e.set(); }
};
struct SemaphoreWake {
  static constexpr const char* kName = "Semaphore";
  Semaphore s{0};
  void sleep(std::uint32_t) { s.acquire(); }
  void wake(std::uint32_t) { s.release(); }
};
struct PthreadCondWake {
  static constexpr const char* kName = "pthread_cond_t";
  SharedPage<PosixPair> page;
  void sleep(std::uint32_t r) {
    pthread_mutex_lock(&page->mutex);
    while (page->turn == r) pthread_cond_wait(&page->cond, &page->mutex);
    pthread_mutex_unlock(&page->mutex);
  }
  void wake(std::uint32_t r) {
    pthread_mutex_lock(&page->mutex);
    page->turn = r + 1;
    pthread_cond_signal(&page->cond);
    pthread_mutex_unlock(&page->mutex);
  }
};
struct SemTWake {
  static constexpr const char* kName = "sem_t";
  SharedPage<PosixPair> page;
  void sleep(std::uint32_t) {
    while (sem_wait(&page->sem) != 0)
      if (errno != EINTR) die("sem_wait", errno);
  }
  void wake(std::uint32_t) {
    if (sem_post(&page->sem) != 0) die("sem_post", errno);
  }
};

template <class P>
void wakeup(benchmark::State& state) {
  const auto rounds = static_cast<std::uint32_t>(std::min(scaled(kWakeRounds), kWakeRounds));
  for (auto _ : state) {
    P primitive;
    SharedPage<WakeLog> log;
    const ForkRun run = run_forked(2, [&](int me) {
      WakeLog& l = *log;
      for (std::uint32_t r = 0; r < rounds; ++r) {
        if (me == 1) {  // the sleeper
          l.ready.store(r + 1, std::memory_order_seq_cst);
          primitive.sleep(r);
          l.latency_ns[r] = now_ns() - l.woken_at.load(std::memory_order_seq_cst);
        } else {  // the waker
          while (l.ready.load(std::memory_order_seq_cst) < r + 1) {
          }
          busy_for(kAsleepNs);
          l.woken_at.store(now_ns(), std::memory_order_seq_cst);
          primitive.wake(r);  // round r + 1 waits for ready == r + 2: the sleeper has read woken_at
        }
      }
    });
    if (!run_ok(state, run, "wake-ups not all delivered")) return;
    std::vector<std::int64_t> sorted(log->latency_ns.begin(), log->latency_ns.begin() + rounds);
    const long long missing = std::count_if(sorted.begin(), sorted.end(), [](std::int64_t ns) { return ns <= 0; });
    if (!check_count(state, "rounds without a recorded wake-up", missing, 0)) return;
    std::sort(sorted.begin(), sorted.end());
    state.SetIterationTime(static_cast<double>(run.wall_ns()) / 1e9);
    state.counters["p50_ns"] = quantile(sorted, 0.50);
    state.counters["p99_ns"] = quantile(sorted, 0.99);
  }
}

}  // namespace

void register_wake_cases() {
  for_each_type(TypeList<RawValueWake, ConditionWake, EventWake, SemaphoreWake, PthreadCondWake, SemTWake>{},
                []<class P>() {
                  forked(benchmark::RegisterBenchmark(("wakeup/" + std::string(P::kName)).c_str(),
                                                      [](benchmark::State& state) { wakeup<P>(state); }));
                });
}

}  // namespace billiard::bench
