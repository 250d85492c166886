// queue_bench: Queue<T> against the lock-based rings it replaces, in one run.
//
//   tools/bazel run -c opt //bench:queue_bench [-- --items N --capacity C]
//
// Throughput and per-item latency (put to get, on CLOCK_MONOTONIC) with 1+1,
// 2+2 and 4+4 producer and consumer processes, each ring of the same capacity:
//   Queue            billiard::Queue<Item>: put/get, sleeping on futexes
//   seed_ring        the seed's CircularBuffer: a ring in an Array<Item>
//                    whose lock guards head, tail and count; full or empty
//                    it unlocks and yields (the seed sleeps 10 ms)
//   pthread_cond     a ring under a process-shared pthread_mutex_t with two
//                    pthread_cond_t (not full, not empty)
//   boost_mq         Boost.Interprocess message_queue
// then a try_put/try_get pair on an uncontended Queue against two uncontended
// fetch_adds on shared words. The goals (issue 12) are printed beside the
// figures: the Queue at least 3x the best lock-based ring at 2+2, and the
// pair within 3x of the two fetch_adds. Every run checks that each item was
// got exactly once (a sum and a count per run); a miss exits non-zero.
#include <pthread.h>
#include <sched.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <boost/interprocess/ipc/message_queue.hpp>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "billiard/billiard.hpp"
#include "harness.hpp"

namespace billiard::bench {
namespace {

struct Item {
  std::uint64_t id;    // producer * items + i + 1; 0: the stop item
  std::int64_t t_ns;   // when it was put
};

// The seed's CircularBuffer: every field under the slots' lock.
class SeedRing {
 public:
  explicit SeedRing(std::size_t capacity) : slots_(capacity) {}
  void put(const Item& x) const {
    for (;;) {
      {
        auto g = slots_.lock();
        // relaxed, all: under the lock, which orders them
        const std::size_t count = count_.load(std::memory_order_relaxed);
        if (count < g.size()) {
          const std::size_t tail = tail_.load(std::memory_order_relaxed);
          g[tail] = x;
          tail_.store((tail + 1) % g.size(), std::memory_order_relaxed);
          count_.store(count + 1, std::memory_order_relaxed);
          return;
        }
      }
      sched_yield();  // full: the seed sleeps
    }
  }
  Item get() const {
    for (;;) {
      {
        auto g = slots_.lock();
        const std::size_t count = count_.load(std::memory_order_relaxed);
        if (count > 0) {
          const std::size_t head = head_.load(std::memory_order_relaxed);
          const Item x = g[head];
          head_.store((head + 1) % g.size(), std::memory_order_relaxed);
          count_.store(count - 1, std::memory_order_relaxed);
          return x;
        }
      }
      sched_yield();  // empty: the seed sleeps
    }
  }

 private:
  Array<Item> slots_;
  RawValue<std::size_t> head_, tail_, count_;
};

// A C program's ring: a process-shared mutex and two condition variables.
class CondRing {
 public:
  explicit CondRing(std::size_t capacity)
      : capacity_(capacity), bytes_(sizeof(State) + capacity * sizeof(Item)), state_(static_cast<State*>(map_shared(bytes_))) {
    pthread_mutexattr_t ma;
    pthread_mutexattr_init(&ma);
    pthread_mutexattr_setpshared(&ma, PTHREAD_PROCESS_SHARED);
    pthread_mutex_init(&state_->mutex, &ma);
    pthread_mutexattr_destroy(&ma);
    pthread_condattr_t ca;
    pthread_condattr_init(&ca);
    pthread_condattr_setpshared(&ca, PTHREAD_PROCESS_SHARED);
    pthread_cond_init(&state_->not_full, &ca);
    pthread_cond_init(&state_->not_empty, &ca);
    pthread_condattr_destroy(&ca);
  }
  ~CondRing() { unmap_shared(state_, bytes_); }
  CondRing(const CondRing&) = delete;
  CondRing& operator=(const CondRing&) = delete;

  void put(const Item& x) const {
    pthread_mutex_lock(&state_->mutex);
    while (state_->count == capacity_) pthread_cond_wait(&state_->not_full, &state_->mutex);
    slots()[state_->tail] = x;
    state_->tail = (state_->tail + 1) % capacity_;
    ++state_->count;
    pthread_cond_signal(&state_->not_empty);
    pthread_mutex_unlock(&state_->mutex);
  }
  Item get() const {
    pthread_mutex_lock(&state_->mutex);
    while (state_->count == 0) pthread_cond_wait(&state_->not_empty, &state_->mutex);
    const Item x = slots()[state_->head];
    state_->head = (state_->head + 1) % capacity_;
    --state_->count;
    pthread_cond_signal(&state_->not_full);
    pthread_mutex_unlock(&state_->mutex);
    return x;
  }

 private:
  struct State {
    pthread_mutex_t mutex;
    pthread_cond_t not_full, not_empty;
    std::size_t head, tail, count;
  };
  Item* slots() const { return reinterpret_cast<Item*>(state_ + 1); }
  std::size_t capacity_, bytes_;
  State* state_;
};

class BoostRing {
 public:
  explicit BoostRing(std::size_t capacity)
      : name_("billiard_queue_bench_" + std::to_string(getpid())),
        mq_((boost::interprocess::message_queue::remove(name_.c_str()),
             std::make_unique<boost::interprocess::message_queue>(boost::interprocess::create_only, name_.c_str(),
                                                                  capacity, sizeof(Item)))) {}
  ~BoostRing() {
    mq_.reset();
    boost::interprocess::message_queue::remove(name_.c_str());  // no /dev/shm entry left
  }
  BoostRing(const BoostRing&) = delete;
  BoostRing& operator=(const BoostRing&) = delete;
  void put(const Item& x) const { mq_->send(&x, sizeof x, 0); }
  Item get() const {
    Item x{};
    std::size_t got = 0;
    unsigned priority = 0;
    mq_->receive(&x, sizeof x, got, priority);
    return x;
  }

 private:
  std::string name_;
  std::unique_ptr<boost::interprocess::message_queue> mq_;
};

class QueueRing {
 public:
  explicit QueueRing(std::size_t capacity) : q_(capacity) {}
  void put(const Item& x) const { q_.put(x); }
  Item get() const { return *q_.get(); }

 private:
  Queue<Item> q_;
};

struct Figures {
  bool ok = false;
  double items_per_s = 0;
  double p50_us = 0;  // median over consumers of each one's median latency
  double p99_us = 0;  // the worst consumer's p99
};

// Tallies per consumer, in a shared page: read by the parent after the run.
struct Tally {
  std::atomic<int> producers_left;  // the last producer to finish puts the stop items
  std::atomic<std::int64_t> got[kMaxProcs];
  std::atomic<std::int64_t> sum[kMaxProcs];
  std::atomic<std::int64_t> p50_ns[kMaxProcs];
  std::atomic<std::int64_t> p99_ns[kMaxProcs];
};

template <class Ring>
Figures measure(const Ring& ring, int producers, int consumers, long items) {
  SharedPage<Tally> tally;
  tally->producers_left.store(producers);
  const ForkRun run = run_forked(producers + consumers, [&](int index) {
    if (index < producers) {
      const auto base = static_cast<std::uint64_t>(index) * static_cast<std::uint64_t>(items);
      for (long i = 0; i < items; ++i) ring.put(Item{base + static_cast<std::uint64_t>(i) + 1, now_ns()});
      // every item is in before the stop items: consumers see them all first (FIFO)
      if (tally->producers_left.fetch_sub(1) == 1)
        for (int c = 0; c < consumers; ++c) ring.put(Item{0, 0});
      return;
    }
    const int c = index - producers;
    std::vector<std::int64_t> latency;
    latency.reserve(static_cast<std::size_t>(items) * static_cast<std::size_t>(producers));
    std::int64_t got = 0, sum = 0;
    for (;;) {
      const Item x = ring.get();
      if (x.id == 0) break;  // a stop item: one per consumer
      latency.push_back(now_ns() - x.t_ns);
      ++got;
      sum += static_cast<std::int64_t>(x.id);
    }
    std::sort(latency.begin(), latency.end());
    // relaxed, all: the parent reads them after reaping this process
    tally->got[c].store(got, std::memory_order_relaxed);
    tally->sum[c].store(sum, std::memory_order_relaxed);
    tally->p50_ns[c].store(latency.empty() ? 0 : static_cast<std::int64_t>(quantile(latency, 0.5)), std::memory_order_relaxed);
    tally->p99_ns[c].store(latency.empty() ? 0 : static_cast<std::int64_t>(quantile(latency, 0.99)), std::memory_order_relaxed);
  });
  Figures f;
  if (!run.finished || !run.failure.empty()) {
    std::fprintf(stderr, "queue_bench: a run did not finish: %s\n", run.failure.c_str());
    return f;
  }
  std::int64_t got = 0, sum = 0, worst_p99 = 0;
  std::vector<double> p50;
  for (int c = 0; c < consumers; ++c) {
    got += tally->got[c].load();
    sum += tally->sum[c].load();
    p50.push_back(static_cast<double>(tally->p50_ns[c].load()));
    worst_p99 = std::max(worst_p99, tally->p99_ns[c].load());
  }
  const std::int64_t n = static_cast<std::int64_t>(producers) * items;
  if (got != n || sum != n * (n + 1) / 2) {
    std::fprintf(stderr, "queue_bench: got %lld items (sum %lld), want %lld (sum %lld)\n", static_cast<long long>(got),
                 static_cast<long long>(sum), static_cast<long long>(n), static_cast<long long>(n * (n + 1) / 2));
    return f;
  }
  f.ok = true;
  f.items_per_s = static_cast<double>(n) / (static_cast<double>(run.wall_ns()) * 1e-9);
  f.p50_us = median(p50) / 1e3;
  f.p99_us = static_cast<double>(worst_p99) / 1e3;
  return f;
}

// ns per iteration of op, over n iterations in this process.
template <class Op>
double ns_per(long n, Op op) {
  const std::int64_t t0 = now_ns();
  for (long i = 0; i < n; ++i) op(i);
  return static_cast<double>(now_ns() - t0) / static_cast<double>(n);
}

}  // namespace
}  // namespace billiard::bench

int main(int argc, char** argv) {
  using namespace billiard::bench;
  long items = 100'000;
  std::size_t capacity = 64;
  for (int i = 1; i + 1 < argc; i += 2) {
    if (std::strcmp(argv[i], "--items") == 0) items = std::atol(argv[i + 1]);
    else if (std::strcmp(argv[i], "--capacity") == 0) capacity = std::strtoul(argv[i + 1], nullptr, 10);
    else {
      std::fprintf(stderr, "usage: queue_bench [--items N] [--capacity C]\n");
      return 2;
    }
  }
  if (items < 1 || capacity < 1) {
    std::fprintf(stderr, "queue_bench: --items and --capacity must be at least 1\n");
    return 2;
  }
  std::printf("queue_bench: %ld items per producer, capacity %zu, %ld cores\n", items, capacity, sysconf(_SC_NPROCESSORS_ONLN));
  std::printf("%-5s %-13s %12s %9s %9s\n", "P+C", "ring", "items/s", "p50 us", "p99 us");
  bool failed = false;
  double goal_ratio = 0;
  for (const int n : {1, 2, 4}) {
    const Figures queue = measure(QueueRing(capacity), n, n, items);
    const Figures seed = measure(SeedRing(capacity), n, n, items);
    const Figures cond = measure(CondRing(capacity), n, n, items);
    const Figures boost = measure(BoostRing(capacity), n, n, items);
    const std::pair<const char*, const Figures*> rows[] = {
        {"Queue", &queue}, {"seed_ring", &seed}, {"pthread_cond", &cond}, {"boost_mq", &boost}};
    double best_lock = 0;
    for (const auto& [name, f] : rows) {
      failed |= !f->ok;
      std::printf("%d+%-3d %-13s %12.0f %9.1f %9.1f\n", n, n, name, f->items_per_s, f->p50_us, f->p99_us);
      if (f != &queue) best_lock = std::max(best_lock, f->items_per_s);
    }
    const double ratio = best_lock > 0 ? queue.items_per_s / best_lock : 0;
    std::printf("%d+%-3d Queue / best lock-based ring: %.2fx%s\n", n, n, ratio, n == 2 ? "   (goal: >= 3x)" : "");
    if (n == 2) goal_ratio = ratio;
  }

  const long pairs = 5'000'000;
  billiard::Queue<std::uint64_t> q(capacity);
  const double pair_ns = ns_per(pairs, [&](long i) {
    q.try_put(static_cast<std::uint64_t>(i));
    benchmark::DoNotOptimize(q.try_get());
  });
  billiard::RawValue<long> a(0), b(0);
  const double adds_ns = ns_per(pairs, [&](long) {
    a.fetch_add(1);
    b.fetch_add(1);
  });
  std::printf("\nuncontended, one process: try_put + try_get %.1f ns, two fetch_adds %.1f ns: %.2fx   (goal: <= 3x)\n",
              pair_ns, adds_ns, pair_ns / adds_ns);
  std::printf("goals: 2+2 Queue / best lock-based %.2fx (>= 3x: %s); pair / fetch_adds %.2fx (<= 3x: %s)\n", goal_ratio,
              goal_ratio >= 3 ? "met" : "missed", pair_ns / adds_ns, pair_ns / adds_ns <= 3 ? "met" : "missed");
  return failed ? 1 : 0;
}
