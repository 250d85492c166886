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
//   segment_peer event SEG          waits for the Event "go", then sets "back"
//   segment_peer queue SEG N        gets 0 .. N-1 in order from the Queue<long> "in",
//                                   puts -i for each into "out"
//   segment_peer barrier SEG N      N rounds of the Barrier "b"; round r's index into "index"[r]
//   segment_peer semaphore SEG      takes the 3 permits of the Semaphore "s" (a 4th try
//                                   fails), sets the Event "taken", then waits for one more
//   segment_peer condition SEG KIND on the Condition<KIND> "cv": waits for "ready" == 1,
//                                   then sets it to 2 and notifies
#include <unistd.h>

#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <exception>
#include <mutex>
#include <stdexcept>
#include <string>
#include <tuple>
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

constexpr auto kBound = std::chrono::seconds(60);  // a lost wake-up fails, never hangs

template <class L>
void condition(const billiard::Segment& seg) {
  const auto cv = seg.find<billiard::Condition<L>>("cv");
  const auto ready = seg.find<billiard::RawValue<int>>("ready");
  expect(cv && ready, "cv and ready exist");
  std::unique_lock held(*cv);
  expect(cv->wait_for(kBound, [&] { return ready->load() == 1; }), "ready is 1 within the bound");
  ready->store(2);
  cv->notify_all();
}

// Runs condition<L> for the lock kind named kind.
template <class... L>
void condition_of(const billiard::Segment& seg, const std::string& kind, std::tuple<L...>*) {
  const bool known = ((kind == L::kName ? (condition<L>(seg), true) : false) || ...);
  expect(known, "a lock kind named " + kind);
}
using Kinds = std::tuple<billiard::FutexLock, billiard::TicketLock, billiard::SpinLock, billiard::PthreadMutex,
                         billiard::RobustLock, billiard::RecursiveLock<billiard::FutexLock>, billiard::SeqLock>;

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
  } else if (command == "event") {
    const auto go = seg.find<billiard::Event>("go");
    const auto back = seg.find<billiard::Event>("back");
    expect(go && back, "go and back exist");
    expect(go->wait_for(kBound), "go is set within the bound");
    back->set();
  } else if (command == "queue") {
    const long n = std::stol(args.at(2));
    const auto in = seg.find<billiard::Queue<long>>("in");
    const auto out = seg.find<billiard::Queue<long>>("out");
    expect(in && out, "in and out exist");
    for (long i = 0; i < n; ++i) {
      expect(in->get_for(kBound) == i, "item " + std::to_string(i) + " got in order");
      expect(out->put_for(-i, kBound), "room for -" + std::to_string(i));
    }
  } else if (command == "barrier") {
    const long rounds = std::stol(args.at(2));
    const auto b = seg.find<billiard::Barrier>("b");
    const auto index = seg.find<billiard::RawArray<int>>("index");
    expect(b && index, "b and index exist");
    for (long r = 0; r < rounds; ++r) (*index)[static_cast<std::size_t>(r)] = static_cast<int>(b->wait_for(kBound));
  } else if (command == "semaphore") {
    const auto s = seg.find<billiard::Semaphore>("s");
    const auto taken = seg.find<billiard::Event>("taken");
    expect(s && taken, "s and taken exist");
    for (int i = 0; i < 3; ++i) expect(s->try_acquire(), "permit " + std::to_string(i));
    expect(!s->try_acquire(), "no 4th permit");
    taken->set();
    expect(s->try_acquire_for(kBound), "the permit released by the test");
  } else if (command == "condition") {
    condition_of(seg, args.at(2), static_cast<Kinds*>(nullptr));
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
