// A separate program for tests/segment_test.cpp: it shares objects with the
// test only through a segment's name, as unrelated programs do. It exits 0
// when its command worked, 1 (with a line on stderr) when a check failed.
//
//   segment_peer create SEG         creates SEG (4096 bytes, persistent) with one object
//   segment_peer check SEG          the objects the test made hold their values
//   segment_peer count SEG ITERS    adds ITERS to "total" (under its lock) and to "atomic"
//   segment_peer probe SEG          makes "sized" and "aligned" with this program's
//                                   own Probe and Aligned (same names, other layouts)
//   segment_peer attach SEG         opens SEG and sleeps until killed
//   segment_peer hold SEG           locks the RobustLock "m" and sleeps until killed
#include <unistd.h>

#include <cstdio>
#include <cstdlib>
#include <exception>
#include <stdexcept>
#include <string>
#include <vector>

#include "billiard/billiard.hpp"

namespace {

struct Probe {  // the test's Probe has two longs
  long a;
};
struct alignas(16) Aligned {  // the test's Aligned is two longs, 8-aligned: same size
  long a;
};

void expect(bool condition, const std::string& what) {
  if (!condition) throw std::runtime_error("segment_peer: check failed: " + what);
}

[[noreturn]] void sleep_forever() {
  while (true) pause();
}

int run(const std::vector<std::string>& args) {
  if (args.size() < 2) throw std::invalid_argument("usage: segment_peer COMMAND SEGMENT [ITERS]");
  const std::string& command = args[0];
  if (command == "create") {
    billiard::Segment::create(args[1], 4096).find_or_create<billiard::RawValue<int>>("one");
    return 0;
  }
  billiard::Segment seg = billiard::Segment::open(args[1]);
  if (command == "check") {
    const auto hits = seg.find<billiard::RawValue<long>>("hits");
    expect(hits && hits->load() == 42, "hits is 42");
    const auto arr = seg.find<billiard::Array<int, billiard::TicketLock>>("arr");
    expect(arr && arr->to_vector() == std::vector<int>{1, 2, 3}, "arr is {1, 2, 3}");
    const auto m = seg.find<billiard::Lock<billiard::RobustLock>>("m");
    expect(m && m->try_lock(), "m is free");
    m->unlock();
    seg.find_or_create<billiard::Value<double, billiard::SeqLock>>("reply").store(2.5);
  } else if (command == "count") {
    const long iters = std::stol(args.at(2));
    const auto total = seg.find<billiard::Value<long>>("total");
    const auto atomic = seg.find<billiard::RawValue<long>>("atomic");
    expect(total && atomic, "total and atomic exist");
    for (long i = 0; i < iters; ++i) {
      total->with_lock([](long& v) { ++v; });
      atomic->fetch_add(1);
    }
  } else if (command == "probe") {
    seg.find_or_create<billiard::RawValue<Probe>>("sized");
    seg.find_or_create<billiard::RawValue<Aligned>>("aligned");
  } else if (command == "attach") {
    sleep_forever();
  } else if (command == "hold") {
    seg.find_or_create<billiard::Lock<billiard::RobustLock>>("m").lock();
    sleep_forever();
  } else {
    throw std::invalid_argument("segment_peer: no command '" + command + "'");
  }
  return 0;
}

}  // namespace

int main(int argc, char** argv) {
  try {
    return run(std::vector<std::string>(argv + 1, argv + argc));
  } catch (const std::exception& e) {
    std::fprintf(stderr, "%s\n", e.what());
    return 1;
  }
}
