// How a lock passes from one process to the next:
//   handoff/<lock>/hold_ns:H   two processes ping-pong the lock; latency from
//                              the holder's unlock() call to the waiter's
//                              lock() return, p50 and p99
//   fairness/<lock>/procs:N    N processes take the lock until a shared count
//                              reaches a total: each one's share, the longest
//                              wait in lock(), and the order of acquisitions
#include <sched.h>

#include <algorithm>
#include <array>
#include <atomic>
#include <chrono>
#include <cstdint>
#include <string>
#include <vector>

#include "bench/cases.hpp"
#include "bench/counters.hpp"
#include "bench/harness.hpp"
#include "billiard/atomic/backoff.hpp"

namespace billiard::bench {
namespace {

// Hand-off: the holder keeps the lock H ns after the waiter has announced
// itself, so the waiter is inside lock() when it is released: spinning after
// a short hold, asleep (if it ever sleeps) after a long one. Backoff's spin
// budget (kMaxRound) sits between the holds.
constexpr long kHandoffRounds = 10'000;
constexpr long kHoldNs[] = {200, 2'000, 20'000};

template <class L>
struct HandoffPage {
  alignas(kCacheLine) L lock;
  alignas(kCacheLine) std::atomic<std::int64_t> released_at{0};  // the holder's clock, just before unlock()
  std::atomic<std::uint32_t> released{0};                         // r + 1: round r's holder is about to unlock()
  std::atomic<std::uint32_t> early{0};                            // lock() returned before the holder released
  alignas(kCacheLine) std::atomic<std::uint32_t> held{0};        // r + 1: round r's holder has the lock
  alignas(kCacheLine) std::atomic<std::uint32_t> waiting{0};     // r + 1: round r's waiter calls lock() now
  alignas(kCacheLine) std::array<std::int64_t, kHandoffRounds> latency_ns{};  // written by round r's waiter
};

// Waits until word >= at_least. It spins, as a process that keeps working
// after unlock() would keep its core busy (so the lock must wake a sleeping
// waiter on the other core), and yields only after kSpinFor, so that on a
// machine with other work a waiter woken onto this core is not kept off it.
constexpr std::int64_t kSpinFor = 200'000;  // ns
void await(const std::atomic<std::uint32_t>& word, std::uint32_t at_least) noexcept {
  const std::int64_t yield_after = now_ns() + kSpinFor;
  while (word.load(std::memory_order_seq_cst) < at_least) {
    cpu_relax();
    if (now_ns() > yield_after) sched_yield();
  }
}

// Round r: process r % 2 holds the lock and hands it to the other. The next
// round's waiter (this round's holder) announces itself only once the new
// holder has the lock, so nobody can barge in between.
template <class L>
void handoff(benchmark::State& state, long hold_ns) {
  const auto rounds = static_cast<std::uint32_t>(std::min(scaled(kHandoffRounds), kHandoffRounds));
  for (auto _ : state) {
    SharedPage<HandoffPage<L>> page;
    const ForkRun run = run_forked(2, [&](int me) {
      HandoffPage<L>& p = *page;
      if (me == 0) {
        p.lock.lock();
        p.held.store(1, std::memory_order_seq_cst);
      }
      for (std::uint32_t r = 0; r < rounds; ++r) {
        if (r % 2 == static_cast<std::uint32_t>(me)) {  // holder
          await(p.waiting, r + 1);
          busy_for(hold_ns);
          // relaxed: unlock() releases both to the waiter's lock()
          p.released.store(r + 1, std::memory_order_relaxed);
          p.released_at.store(now_ns(), std::memory_order_relaxed);
          p.lock.unlock();
        } else {  // waiter
          await(p.held, r + 1);
          p.waiting.store(r + 1, std::memory_order_seq_cst);
          p.lock.lock();
          const std::int64_t acquired_at = now_ns();
          // relaxed: lock() acquired what the holder's unlock() released
          if (p.released.load(std::memory_order_relaxed) != r + 1)
            p.early.fetch_add(1, std::memory_order_relaxed);  // relaxed: a count read after the run
          p.latency_ns[r] = acquired_at - p.released_at.load(std::memory_order_relaxed);
          p.held.store(r + 2, std::memory_order_seq_cst);
        }
      }
      if ((rounds - 1) % 2 != static_cast<std::uint32_t>(me)) p.lock.unlock();  // the last waiter holds it
    });
    const std::uint32_t done = page->held.load(std::memory_order_seq_cst) - 1;
    if (!run_ok(state, run, std::to_string(done) + " of " + std::to_string(rounds) + " hand-offs")) return;
    if (!check_count(state, "hand-offs", done, rounds) ||
        !check_count(state, "lock() returns before the holder's unlock()",
                     page->early.load(std::memory_order_relaxed), 0))
      return;
    std::vector<std::int64_t> sorted(page->latency_ns.begin(), page->latency_ns.begin() + rounds);
    std::sort(sorted.begin(), sorted.end());
    state.SetIterationTime(static_cast<double>(run.wall_ns()) / 1e9);
    state.counters["p50_ns"] = quantile(sorted, 0.50);
    state.counters["p99_ns"] = quantile(sorted, 0.99);
    state.counters["hold_ns"] = static_cast<double>(hold_ns);
  }
}

// Fairness: who gets the lock, how long anyone waits, and in what order.
// Every process takes the lock again as soon as it has let it go, for
// kFairnessRun from the first acquisition.
constexpr std::chrono::milliseconds kFairnessRun{300};
constexpr int kFairnessProcs[] = {2, 4};
constexpr long kOrderWindow = 64;  // acquisitions recorded from the middle of the run

struct FairnessLog {
  // Guarded by the lock under test.
  std::int64_t stop_at = 0;      // the first acquisition sets it: + kFairnessRun
  std::int64_t window_from = 0;  // the middle of the run
  long window_start = -1;        // the first acquisition at or after window_from
  std::array<char, kOrderWindow> order{};  // '0' + the process that took acquisition window_start + k
  // Each written by its own process when it stops.
  std::array<long, kMaxProcs> acquisitions{};
  std::array<std::int64_t, kMaxProcs> longest_wait_ns{};
};

template <class L>
void fairness(benchmark::State& state, int procs) {
  const std::int64_t run_ns = std::max<std::int64_t>(
      10'000'000, static_cast<std::int64_t>(static_cast<double>(
                      std::chrono::nanoseconds(kFairnessRun).count()) * options().scale));
  for (auto _ : state) {
    LockedCounter<L> counter;
    SharedPage<FairnessLog> shared;
    const ForkRun run = run_forked(procs, [&](int me) {
      FairnessLog& log = *shared;
      long mine = 0;
      std::int64_t longest = 0;
      for (;;) {
        const std::int64_t asked = now_ns();
        counter.lock().lock();
        const std::int64_t got = now_ns();
        longest = std::max(longest, got - asked);
        if (log.stop_at == 0) {
          log.stop_at = got + run_ns;
          log.window_from = got + run_ns / 2;
        }
        const bool over = got >= log.stop_at;
        if (!over) {
          long& taken = counter.value();
          if (log.window_start < 0 && got >= log.window_from) log.window_start = taken;
          if (log.window_start >= 0 && taken - log.window_start < kOrderWindow)
            log.order[static_cast<std::size_t>(taken - log.window_start)] = static_cast<char>('0' + me);
          ++taken;
          ++mine;
        }
        counter.lock().unlock();
        if (over) break;
      }
      log.acquisitions[static_cast<std::size_t>(me)] = mine;
      log.longest_wait_ns[static_cast<std::size_t>(me)] = longest;
    });
    if (!run_ok(state, run, std::to_string(counter.count()) + " acquisitions, not all processes stopped"))
      return;
    const FairnessLog& log = *shared;
    const long total = counter.count();
    long sum = 0;
    std::int64_t longest = 0;
    for (int i = 0; i < procs; ++i) {
      const auto at = static_cast<std::size_t>(i);
      sum += log.acquisitions[at];
      longest = std::max(longest, log.longest_wait_ns[at]);
      state.counters["share_p" + std::to_string(i)] =
          static_cast<double>(log.acquisitions[at]) / static_cast<double>(total);
    }
    if (!check_count(state, "sum of per-process acquisitions", sum, total)) return;
    const long recorded = log.window_start < 0 ? 0 : std::min(kOrderWindow, total - log.window_start);
    long repeats = 0;  // acquisitions by the process that took the one before
    for (std::size_t k = 1; k < static_cast<std::size_t>(recorded); ++k) repeats += log.order[k] == log.order[k - 1];
    state.SetIterationTime(static_cast<double>(run.wall_ns()) / 1e9);
    state.counters["ns_per_op"] = static_cast<double>(run.wall_ns()) / static_cast<double>(total);
    state.counters["acquisitions"] = static_cast<double>(total);
    state.counters["longest_wait_us"] = static_cast<double>(longest) / 1e3;
    if (recorded > 1)
      state.counters["repeat_pct"] = 100.0 * static_cast<double>(repeats) / static_cast<double>(recorded - 1);
    state.SetLabel("order " + std::string(log.order.data(), static_cast<std::size_t>(recorded)));
  }
  state.counters["procs"] = procs;
}

}  // namespace

void register_handoff_cases() {
  for_each_type(LockKinds{}, []<class L>() {
    for (const long hold_ns : kHoldNs)
      forked(benchmark::RegisterBenchmark(
          ("handoff/" + std::string(L::kName) + "/hold_ns:" + std::to_string(hold_ns)).c_str(),
          [hold_ns](benchmark::State& state) { handoff<L>(state, hold_ns); }));
  });
  for_each_type(LockKinds{}, []<class L>() {
    for (const int procs : kFairnessProcs)
      forked(benchmark::RegisterBenchmark(
          ("fairness/" + std::string(L::kName) + "/procs:" + std::to_string(procs)).c_str(),
          [procs](benchmark::State& state) { fairness<L>(state, procs); }));
  });
}

}  // namespace billiard::bench
