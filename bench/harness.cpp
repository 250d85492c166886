#include "bench/harness.hpp"

#include <sched.h>
#include <sys/mman.h>
#include <time.h>

#include <atomic>
#include <cmath>
#include <cstdint>
#include <fstream>
#include <new>
#include <stdexcept>
#include <thread>
#include <utility>

#include "billiard/atomic/backoff.hpp"
#include "billiard/locks/futex.hpp"
#include "billiard/process.hpp"

namespace billiard::bench {
namespace {

Options g_options;
int g_failures = 0;
int g_noisy_runs = 0;

// The start line of run_forked(), in a shared page of its own.
struct Release {
  alignas(kCacheLine) std::atomic<std::uint32_t> ready{0};  // children waiting for the release
  alignas(kCacheLine) std::atomic<std::uint32_t> go{0};     // 1: released
  alignas(kCacheLine) std::atomic<std::int64_t> finished_at[kMaxProcs] = {};
  alignas(kCacheLine) std::atomic<std::int64_t> body_cpu_ns[kMaxProcs] = {};
};

// This process's CPU time so far.
std::int64_t process_cpu_ns() noexcept {
  timespec ts{};
  clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &ts);
  return std::int64_t{ts.tv_sec} * 1'000'000'000 + ts.tv_nsec;
}

// All CPUs' time from /proc/stat's first line, in clock ticks (10 ms): busy,
// and in all.
std::pair<long long, long long> cpu_ticks() {
  std::ifstream stat("/proc/stat");
  std::string cpu;
  stat >> cpu;
  long long busy = 0, all = 0, ticks = 0;
  for (int field = 0; field < 8 && stat >> ticks; ++field) {  // user nice system idle iowait irq softirq steal
    all += ticks;
    if (field != 3 && field != 4) busy += ticks;
  }
  return {busy, all};
}

}  // namespace

const Options& options() noexcept { return g_options; }
void set_options(const Options& options) noexcept { g_options = options; }

long scaled(long count) noexcept {
  return std::max(1L, std::lround(static_cast<double>(count) * g_options.scale));
}

void fail(benchmark::State& state, const std::string& what) {
  ++g_failures;
  state.SkipWithError(what.c_str());
}

bool check_count(benchmark::State& state, const char* what, long long got, long long want) {
  if (got == want) return true;
  fail(state, std::string("count not exact: ") + what + " is " + std::to_string(got) + ", expected " +
                  std::to_string(want));
  return false;
}

int failures() noexcept { return g_failures; }

void* map_shared(std::size_t bytes) {
  void* p = mmap(nullptr, bytes, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS, -1, 0);
  if (p == MAP_FAILED) throw std::bad_alloc();
  return p;
}

void unmap_shared(void* memory, std::size_t bytes) noexcept { munmap(memory, bytes); }

bool wait_for_quiet() {
  if (g_options.quiet_wait.count() == 0) return true;
  const auto deadline = std::chrono::steady_clock::now() + g_options.quiet_wait;
  while (std::chrono::steady_clock::now() < deadline) {
    const auto [busy0, all0] = cpu_ticks();
    std::this_thread::sleep_for(std::chrono::milliseconds(200));
    const auto [busy1, all1] = cpu_ticks();
    if (all1 > all0 && (busy1 - busy0) * 10 <= all1 - all0) return true;
  }
  ++g_noisy_runs;
  return false;
}

int noisy_runs() noexcept { return g_noisy_runs; }

ForkRun run_forked(int procs, const std::function<void(int)>& body) {
  if (procs < 1 || procs > kMaxProcs) throw std::invalid_argument("run_forked: 1 to 8 processes");
  wait_for_quiet();
  SharedPage<Release> release;
  const auto deadline = std::chrono::steady_clock::now() + g_options.cap;
  std::vector<Process> kids;
  for (int i = 0; i < procs; ++i) {
    kids.emplace_back([&release, &body, i] {
      release->ready.fetch_add(1, std::memory_order_seq_cst);
      futex_wake(release->ready, 1);
      // Spin, not sleep, until the release: a futex wake of every child puts
      // them all on the waker's core, where they run one after another.
      // Yield now and then, so that with more children than cores the parent
      // gets to release them. acquire: pairs with the parent's store of go.
      for (unsigned spins = 1; release->go.load(std::memory_order_acquire) == 0; ++spins) {
        cpu_relax();
        if (spins % 1024 == 0) sched_yield();
      }
      const std::int64_t cpu_at_start = process_cpu_ns();
      body(i);
      // relaxed: the parent reads these after reaping us; wait() orders them.
      release->finished_at[i].store(now_ns(), std::memory_order_relaxed);
      release->body_cpu_ns[i].store(process_cpu_ns() - cpu_at_start, std::memory_order_relaxed);
    });
    kids.back().start();
  }
  // Wait until every child is spinning on go, so that they start together.
  const timespec start_deadline = to_monotonic_timespec(deadline);
  bool all_ready = true;
  for (;;) {
    const std::uint32_t ready = release->ready.load(std::memory_order_seq_cst);
    if (ready == static_cast<std::uint32_t>(procs)) break;
    if (futex_wait(release->ready, ready, &start_deadline) == WaitResult::timed_out) {
      all_ready = false;
      break;
    }
  }
  const std::int64_t t0 = now_ns();
  release->go.store(1, std::memory_order_release);  // pairs with the children's acquire load

  ForkRun run;
  run.finished = all_ready;
  for (auto& k : kids) {
    const auto left = std::max(deadline - std::chrono::steady_clock::now(),
                               std::chrono::steady_clock::duration::zero());
    if (!k.join(left)) {  // past the cap: stop it
      k.kill();
      k.join();
      run.finished = false;
    } else if (const int code = *k.exitcode(); code != 0 && run.failure.empty()) {
      run.failure = k.name() + " exited with " + std::to_string(code);
    }
  }
  if (run.finished)
    for (int i = 0; i < procs; ++i) {  // relaxed: every child has been reaped
      run.elapsed_ns.push_back(release->finished_at[i].load(std::memory_order_relaxed) - t0);
      run.body_cpu_ns += release->body_cpu_ns[i].load(std::memory_order_relaxed);
    }
  return run;
}

bool run_ok(benchmark::State& state, const ForkRun& run, const std::string& what_if_stopped) {
  if (!run.finished) {
    state.SkipWithError(("did not finish: " + what_if_stopped + " in " +
                         std::to_string(g_options.cap.count()) + " s")
                            .c_str());
    return false;
  }
  if (!run.failure.empty()) {
    fail(state, run.failure);
    return false;
  }
  return true;
}

double median(std::vector<double>& xs) {
  std::sort(xs.begin(), xs.end());
  const std::size_t n = xs.size();
  return n % 2 == 1 ? xs[n / 2] : (xs[n / 2 - 1] + xs[n / 2]) / 2;
}

double quantile(const std::vector<std::int64_t>& sorted, double q) {
  const auto rank = static_cast<std::size_t>(std::ceil(q * static_cast<double>(sorted.size())));
  return static_cast<double>(sorted[std::clamp<std::size_t>(rank, 1, sorted.size()) - 1]);
}

}  // namespace billiard::bench
