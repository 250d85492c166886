// The attach scenario's worker: a program of its own, started by
// Process::spawn, that finds everything it shares with the others through a
// segment's name, then runs the seed's counter or stats loop, or holds the
// segment's RobustLock until it is killed. Exit 0 when done, 1 (a line on
// stderr) on any error.
//
//   attach_worker SEGMENT ROLE LOCK ITERATIONS INDEX SEED GENERATORS
//     ROLE: counter | generator | reporter | holder; LOCK: a kind's name, or "none" (raw)
#include <unistd.h>

#include <cstdint>
#include <cstdio>
#include <exception>
#include <stdexcept>
#include <string>
#include <thread>
#include <type_traits>
#include <vector>

#include "billiard/billiard.hpp"
#include "counter.hpp"
#include "lock_kinds.hpp"
#include "stats.hpp"

namespace billiard::stress {
namespace {

struct Args {
  std::string segment, role, lock;
  long long iterations = 0;
  std::size_t index = 0;
  std::uint64_t seed = 0;
  int generators = 0;
};

template <class H>
H found(const Segment& seg, const char* name) {
  std::optional<H> h = seg.find<H>(name);
  if (!h) throw std::runtime_error("attach_worker: segment '" + seg.name() + "' has no '" + name + "'");
  return *h;
}

// Kind void: the raw variant.
template <class Kind>
void work(const Segment& seg, const Args& a) {
  using Counter = std::conditional_t<std::is_void_v<Kind>, RawValue<long>, Value<long, Kind>>;
  using Shared = std::conditional_t<std::is_void_v<Kind>, RawValue<Stats>, Value<Stats, Kind>>;
  const auto done = found<RawValue<int>>(seg, "done");
  found<RawValue<int>>(seg, "ready").fetch_add(1);
  const auto go = found<RawValue<int>>(seg, "go");
  while (go.load() == 0) std::this_thread::yield();  // more workers than cores: let them all start
  if (a.role == "counter") {
    read_pause_write(found<Counter>(seg, "counter"), a.iterations);
  } else if (a.role == "generator") {
    const Generated generated(found<RawArray<long long>>(seg, "sum"), found<RawArray<long long>>(seg, "min"),
                              found<RawArray<long long>>(seg, "max"));
    generate(found<Shared>(seg, "stats"), a.seed, a.iterations, generated, a.index);
    done.fetch_add(1);
  } else if (a.role == "reporter") {
    report(found<Shared>(seg, "stats"), a.generators, done, found<RawValue<long long>>(seg, "snapshots"),
           found<RawValue<long long>>(seg, "inconsistent"));
  } else {
    throw std::invalid_argument("attach_worker: no role '" + a.role + "'");
  }
}

[[noreturn]] void hold(const Segment& seg) {
  const auto m = found<Lock<RobustLock>>(seg, "m");
  m.lock();  // the parent repaired after the last death: never owner_died here
  found<RawValue<int>>(seg, "held").store(1);
  while (true) pause();  // until SIGKILL
}

int run(const std::vector<std::string>& argv) {
  if (argv.size() != 7)
    throw std::invalid_argument("usage: attach_worker SEGMENT ROLE LOCK ITERATIONS INDEX SEED GENERATORS");
  const Args a{argv[0], argv[1], argv[2], std::stoll(argv[3]), std::stoul(argv[4]), std::stoull(argv[5]),
               std::stoi(argv[6])};
  const Segment seg = Segment::open(a.segment);
  if (a.role == "holder") hold(seg);
  if (a.lock == kNoLock) {
    work<void>(seg, a);
    return 0;
  }
  bool known = false;
  for_each_kind([&]<class Kind>() {
    if (kind_name<Kind>() != a.lock) return;
    known = true;
    work<Kind>(seg, a);
  });
  if (!known) throw std::invalid_argument("attach_worker: no lock kind '" + a.lock + "'");
  return 0;
}

}  // namespace
}  // namespace billiard::stress

int main(int argc, char** argv) {
  try {
    return billiard::stress::run(std::vector<std::string>(argv + 1, argv + argc));
  } catch (const std::exception& e) {
    std::fprintf(stderr, "attach_worker: %s\n", e.what());
    return 1;
  }
}
