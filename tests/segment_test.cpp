// Named segments: objects shared with programs we did not fork, typed lookup,
// every bad input, crash safety under SIGKILL, and remove_when_unused.
// tests/segment_peer is the unrelated program (started by Process::spawn).
#include <catch2/catch.hpp>

#include <fcntl.h>
#include <signal.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <cstdint>
#include <filesystem>
#include <functional>
#include <mutex>
#include <fstream>
#include <random>
#include <string>
#include <system_error>
#include <thread>
#include <type_traits>
#include <vector>

#include "billiard/billiard.hpp"
#include "billiard/test/support.hpp"

using billiard::Segment;
using billiard::test::segment_name;
using namespace std::chrono_literals;

namespace {

constexpr const char* kPeer = "tests/segment_peer";  // in the test's runfiles

// Removes the test's segment however the test ends.
struct Removed {
  std::string name;
  ~Removed() { Segment::remove(name); }
};

bool shm_exists(const std::string& name) { return std::filesystem::exists("/dev/shm/billiard." + name); }

// Starts the peer with args.
billiard::Process start_peer(const std::vector<std::string>& args) {
  std::vector<std::string> argv{kPeer};
  argv.insert(argv.end(), args.begin(), args.end());
  billiard::Process p = billiard::Process::spawn(argv);
  p.start();
  return p;
}

// Requires the started peer's exit code 0 within the bound.
void finish_peer(billiard::Process& p) {
  const bool ended = p.join(billiard::test::kJoinBound);
  if (!ended) p.kill();
  REQUIRE(ended);
  REQUIRE(p.exitcode() == 0);
}

// Runs the peer and requires exit code 0 within the bound.
void run_peer(const std::vector<std::string>& args) {
  billiard::Process p = start_peer(args);
  finish_peer(p);
}

std::size_t attached(const std::string& name) {
  for (const billiard::SegmentInfo& info : Segment::list())
    if (info.name == name) return info.attached;
  return 0;
}

// Polls until condition holds, at most 20 s.
template <class F>
bool eventually(F condition) {
  const auto deadline = std::chrono::steady_clock::now() + 20s;
  while (!condition()) {
    if (std::chrono::steady_clock::now() > deadline) return false;
    std::this_thread::sleep_for(1ms);
  }
  return true;
}

template <class E, class F>
std::string thrown(F f) {
  try {
    f();
  } catch (const E& e) {
    return e.what();
  }
  FAIL("nothing thrown");
  return "";
}

int errno_of(const std::function<void()>& f) {
  try {
    f();
  } catch (const std::system_error& e) {
    return e.code().value();
  }
  return 0;
}

struct Probe {  // tests/segment_peer.cpp's Probe has one long
  long a, b;
};
struct Aligned {  // tests/segment_peer.cpp's Aligned is alignas(16) with one long
  long a, b;
};

// The compiler's spelling of T in layout messages ("long int" with GCC, "long" with clang).
template <class T>
std::string tn() {
  return std::string(billiard::type_name<T>());
}

}  // namespace

TEST_CASE("every shared type is built once and found by name", "[segment]") {
  const std::string name = segment_name("types");
  Removed removed{name};
  Segment seg = Segment::create(name, 1 << 20);
  REQUIRE(seg.name() == name);

  auto hits = seg.find_or_create<billiard::RawValue<long>>("hits");
  REQUIRE(hits.load() == 0);
  hits += 5;
  REQUIRE(seg.find_or_create<billiard::RawValue<long>>("hits", 99L).load() == 5);  // args ignored: found
  auto seven = seg.find_or_create<billiard::RawValue<int>>("seven", 7);
  REQUIRE(seven.load() == 7);
  auto raw = seg.find_or_create<billiard::RawArray<int>>("raw", {1, 2, 3});
  REQUIRE(raw.to_vector() == std::vector<int>{1, 2, 3});
  REQUIRE(seg.find_or_create<billiard::RawArray<int>>("zeros", 10).to_vector() == std::vector<int>(10, 0));
  auto v = seg.find_or_create<billiard::Value<double, billiard::TicketLock>>("v", 1.5);
  v.with_lock([](double& x) { x *= 2; });
  auto arr = seg.find_or_create<billiard::Array<char, billiard::SpinLock>>("text", 16);
  arr.set_value("hello");
  auto m = seg.find_or_create<billiard::Lock<billiard::RobustLock>>("m");
  auto f = seg.find_or_create<billiard::Lock<>>("f");
  auto r = seg.find_or_create<billiard::RLock>("r");
  auto p = seg.find_or_create<billiard::Lock<billiard::PthreadMutex>>("p");
  auto q = seg.find_or_create<billiard::Value<long, billiard::SeqLock>>("q", 3L);
  {
    std::scoped_lock all(m, f, r, p);
    r.lock();  // recursive
    r.unlock();
  }

  // A second attachment (another mapping, another address) sees the same objects.
  Segment again = Segment::open(name);
  auto hits2 = again.find<billiard::RawValue<long>>("hits");
  REQUIRE(hits2);
  REQUIRE(hits2->data() != hits.data());
  REQUIRE(hits2->load() == 5);
  REQUIRE(again.find<billiard::Value<double, billiard::TicketLock>>("v")->load() == 3.0);
  REQUIRE(again.find<billiard::Array<char, billiard::SpinLock>>("text")->value() == "hello");
  REQUIRE(again.find<billiard::RawArray<int>>("raw")->size() == 3);
  REQUIRE(again.find<billiard::Value<long, billiard::SeqLock>>("q")->load() == 3);
  REQUIRE_FALSE(again.find<billiard::RawValue<long>>("nothing"));
  auto m2 = again.find<billiard::Lock<billiard::RobustLock>>("m");
  REQUIRE(m2->try_lock());
  REQUIRE(m.get().owner() == static_cast<std::uint32_t>(gettid()));  // one lock word, two mappings
  m2->unlock();

  std::vector<std::string> names = seg.names();
  std::sort(names.begin(), names.end());
  REQUIRE(names == std::vector<std::string>{"f", "hits", "m", "p", "q", "r", "raw", "seven", "text", "v", "zeros"});
  REQUIRE(seg.erase("hits"));
  REQUIRE_FALSE(seg.erase("hits"));
  REQUIRE_FALSE(again.find<billiard::RawValue<long>>("hits"));
  REQUIRE(seg.names().size() == 10);
}

TEST_CASE("handles keep the mapping alive after the segment and its name are gone", "[segment]") {
  const std::string name = segment_name("alive");
  billiard::RawValue<long> kept = [&] {
    Segment seg = Segment::create(name, 4096);
    auto v = seg.find_or_create<billiard::RawValue<long>>("v", 11L);
    REQUIRE(Segment::remove(name));
    return v;
  }();
  REQUIRE_FALSE(Segment::remove(name));
  kept += 1;
  REQUIRE(kept.load() == 12);
  REQUIRE_FALSE(shm_exists(name));
}

TEST_CASE("a program started by spawn, not forked, sees the same objects", "[segment][spawn]") {
  const std::string name = segment_name("peer");
  Removed removed{name};
  Segment seg = Segment::create(name, 1 << 16);
  seg.find_or_create<billiard::RawValue<long>>("hits", 42L);
  seg.find_or_create<billiard::Array<int, billiard::TicketLock>>("arr", {1, 2, 3});
  seg.find_or_create<billiard::Lock<billiard::RobustLock>>("m");
  run_peer({"check", name});
  const auto reply = seg.find<billiard::Value<double, billiard::SeqLock>>("reply");
  REQUIRE(reply);
  REQUIRE(reply->load() == 2.5);
}

TEST_CASE("4 spawned programs x 20000 increments lose nothing", "[segment][spawn]") {
  constexpr int kProcs = 4;
  constexpr long kIters = 20'000;
  const std::string name = segment_name("count");
  Removed removed{name};
  Segment seg = Segment::create(name, 1 << 16);
  auto total = seg.find_or_create<billiard::Value<long>>("total");
  auto atomic = seg.find_or_create<billiard::RawValue<long>>("atomic");
  std::vector<billiard::Process> peers;
  for (int i = 0; i < kProcs; ++i)
    peers.push_back(billiard::Process::spawn({kPeer, "count", name, std::to_string(kIters)}));
  for (auto& p : peers) p.start();
  for (auto& p : peers) {
    const bool ended = p.join(billiard::test::kJoinBound);
    if (!ended) p.kill();
    REQUIRE(ended);
    REQUIRE(p.exitcode() == 0);
  }
  REQUIRE(total.load() == kProcs * kIters);
  REQUIRE(atomic.load() == kProcs * kIters);
}

TEST_CASE("bad names and sizes throw naming the bad value", "[segment][errors]") {
  using Catch::Matchers::Contains;
  CHECK_THAT(thrown<std::invalid_argument>([] { Segment::create("", 4096); }),
             Contains("bad segment name ''") && Contains("empty"));
  CHECK_THAT(thrown<std::invalid_argument>([] { Segment::open("a/b"); }),
             Contains("bad segment name 'a/b'") && Contains("'/'"));
  CHECK_THAT(thrown<std::invalid_argument>([] { Segment::open_or_create(std::string(201, 'x'), 4096); }),
             Contains("longer than 200 bytes"));
  CHECK_THAT(thrown<std::invalid_argument>([] { Segment::remove(""); }), Contains("Segment::remove"));
  const std::string name = segment_name("sizes");
  CHECK_THAT(thrown<std::invalid_argument>([&] { Segment::create(name, 0); }), Contains(name) && Contains("0 bytes"));
  CHECK(errno_of([&] { Segment::create(name, std::size_t{1} << 60); }) == ENOMEM);
  CHECK_THAT(thrown<std::system_error>([&] { Segment::create(name, std::size_t{1} << 60); }),
             Contains("1152921504606846976 bytes"));
  CHECK(errno_of([&] { Segment::create(name, std::size_t{1} << 45); }) == ENOSPC);  // /dev/shm is not 32 TiB
  CHECK_THAT(thrown<std::system_error>([&] { Segment::create(name, std::size_t{1} << 45); }),
             Contains("more than /dev/shm/ holds"));
  CHECK_FALSE(shm_exists(name));

  Removed removed{name};
  Segment seg = Segment::create(name, 4096);
  CHECK_THAT(thrown<std::invalid_argument>([&] { seg.find_or_create<billiard::RawValue<int>>(""); }),
             Contains("bad object name ''"));
  CHECK_THAT(thrown<std::invalid_argument>([&] { seg.find<billiard::RawValue<int>>(std::string(300, 'o')); }),
             Contains("bad object name"));
}

TEST_CASE("create of a taken name is EEXIST, open of a missing one ENOENT", "[segment][errors]") {
  const std::string name = segment_name("exists");
  Removed removed{name};
  Segment seg = Segment::create(name, 4096);
  CHECK(errno_of([&] { Segment::create(name, 4096); }) == EEXIST);
  CHECK_THAT(thrown<std::system_error>([&] { Segment::create(name, 4096); }), Catch::Contains(name));
  REQUIRE(Segment::remove(name));
  CHECK(errno_of([&] { Segment::open(name); }) == ENOENT);
  CHECK_THAT(thrown<std::system_error>([&] { Segment::open(name); }), Catch::Contains(name));
}

TEST_CASE("a segment too small for the next object throws segment_full, a bad_alloc", "[segment][errors]") {
  const std::string name = segment_name("full");
  Removed removed{name};
  Segment seg = Segment::create(name, 4096);
  const std::size_t free = seg.free_bytes();
  const std::string what = thrown<std::bad_alloc>([&] { seg.find_or_create<billiard::RawArray<char>>("big", 1 << 20); });
  CHECK_THAT(what, Catch::Contains(name) && Catch::Contains("'big'") && Catch::Contains("free") &&
                       Catch::Contains(std::to_string(free)));
  CHECK_THROWS_AS(seg.find_or_create<billiard::RawArray<char>>("big", 1 << 20), billiard::segment_full);
  CHECK(seg.free_bytes() == free);  // nothing taken
  CHECK(seg.names().empty());
}

TEST_CASE("erase frees memory for reuse", "[segment]") {
  const std::string name = segment_name("reuse");
  Removed removed{name};
  Segment seg = Segment::create(name, 64 * 1024);
  const std::size_t free = seg.free_bytes();
  for (int round = 0; round < 1000; ++round) {  // 1000 x 16 KiB through a 64 KiB segment
    const std::string object = "a" + std::to_string(round % 3);
    seg.find_or_create<billiard::Array<long>>(object, 2000).store(1999, round);
    if (round % 3 == 2)
      for (const char* n : {"a0", "a1", "a2"}) REQUIRE(seg.erase(n));
  }
  for (const std::string& n : seg.names()) seg.erase(n);
  REQUIRE(seg.free_bytes() == free);
}

TEST_CASE("a file in the way that is not a segment is refused and left as it is", "[segment][errors]") {
  const std::string name = segment_name("junk");
  Removed removed{name};
  const std::string path = "/dev/shm/billiard." + name;
  { std::ofstream(path) << "not a segment"; }
  CHECK(errno_of([&] { Segment::create(name, 4096); }) == EEXIST);
  CHECK_THAT(thrown<std::runtime_error>([&] { Segment::open(name); }),
             Catch::Contains(path) && Catch::Contains("not a billiard segment"));
  CHECK_THROWS_AS(Segment::open_or_create(name, 4096), std::runtime_error);
  std::ifstream in(path);
  std::string text;
  std::getline(in, text);
  CHECK(text == "not a segment");
}

TEST_CASE("a segment from another PID namespace or library version is refused", "[segment][errors]") {
  const std::string name = segment_name("header");
  Removed removed{name};
  Segment::create(name, 4096);
  const std::string path = "/dev/shm/billiard." + name;
  const int fd = ::open(path.c_str(), O_RDWR);
  REQUIRE(fd >= 0);
  std::uint64_t saved = 0;
  const std::uint64_t other = 4026531836 + 7;  // a namespace inode that is not ours
  REQUIRE(pread(fd, &saved, 8, 40) == 8);  // the creator's PID namespace inode
  REQUIRE(pwrite(fd, &other, 8, 40) == 8);
  CHECK(errno_of([&] { Segment::open(name); }) == ENOTSUP);
  CHECK_THAT(thrown<std::system_error>([&] { Segment::open(name); }),
             Catch::Contains("PID namespace") && Catch::Contains(std::to_string(other)));
  REQUIRE(pwrite(fd, &saved, 8, 40) == 8);

  const std::uint64_t version = billiard::kLayoutVersion + 1;
  REQUIRE(pwrite(fd, &version, 8, 8) == 8);  // the layout version
  CHECK_THAT(thrown<billiard::layout_mismatch>([&] { Segment::open(name); }),
             Catch::Contains(name) && Catch::Contains("layout version " + std::to_string(version)));
  close(fd);
}

TEST_CASE("a layout mismatch in any field throws layout_mismatch naming both", "[segment][layout]") {
  using Catch::Matchers::Contains;
  const std::string name = segment_name("layout");
  Removed removed{name};
  Segment seg = Segment::create(name, 1 << 16);
  seg.find_or_create<billiard::RawValue<long>>("long");
  seg.find_or_create<billiard::Value<long>>("value");
  seg.find_or_create<billiard::RawArray<int>>("ten", 10);
  run_peer({"probe", name});

  SECTION("handle kind") {
    CHECK_THAT(thrown<billiard::layout_mismatch>([&] { seg.find<billiard::Value<long>>("long"); }),
               Contains("segment '" + name + "'") && Contains("object 'long'") &&
                   Contains("stored as RawValue<" + tn<long>() + "> (size 8, align 8, lock none, length 1") &&
                   Contains("asked for as Value<" + tn<long>() + ", " + tn<billiard::FutexLock>() + ">"));
  }
  SECTION("type name") {
    CHECK_THAT(thrown<billiard::layout_mismatch>([&] { seg.find_or_create<billiard::RawValue<double>>("long"); }),
               Contains("RawValue<" + tn<long>() + ">") && Contains("RawValue<double>"));
  }
  SECTION("size") {
    CHECK_THAT(thrown<billiard::layout_mismatch>([&] { seg.find<billiard::RawValue<Probe>>("sized"); }),
               Contains("stored as RawValue<" + tn<Probe>() + "> (size 8") &&
                   Contains("asked for as RawValue<" + tn<Probe>() + "> (size 16"));
  }
  SECTION("alignment") {
    CHECK_THAT(thrown<billiard::layout_mismatch>([&] { seg.find<billiard::RawValue<Aligned>>("aligned"); }),
               Contains("(size 16, align 16") && Contains("(size 16, align 8"));
  }
  SECTION("lock kind") {
    CHECK_THAT(thrown<billiard::layout_mismatch>([&] { seg.find<billiard::Value<long, billiard::TicketLock>>("value"); }),
               Contains("lock " + tn<billiard::FutexLock>()) && Contains("lock " + tn<billiard::TicketLock>()));
  }
  SECTION("array length") {
    CHECK(seg.find<billiard::RawArray<int>>("ten")->size() == 10);  // find takes any length
    CHECK_THAT(thrown<billiard::layout_mismatch>([&] { seg.find_or_create<billiard::RawArray<int>>("ten", 20); }),
               Contains("length 10") && Contains("length 20"));
  }
  // The layout version: "a segment from another PID namespace or library version is refused".
}

TEST_CASE("segments list with creator, attached processes and objects", "[segment]") {
  const std::string name = segment_name("list");
  Removed removed{name};
  Segment seg = Segment::create(name, 1 << 16);
  seg.find_or_create<billiard::RawValue<int>>("a");
  seg.find_or_create<billiard::RawValue<int>>("b");
  billiard::Process peer = billiard::Process::spawn({kPeer, "attach", name});
  peer.start();
  REQUIRE(eventually([&] { return attached(name) == 2; }));
  bool seen = false;
  for (const billiard::SegmentInfo& info : Segment::list())
    if (info.name == name) {
      seen = true;
      CHECK(info.creator == getpid());
      CHECK(info.bytes == seg.size());
      CHECK(info.objects == 2);
      CHECK_FALSE(info.remove_when_unused);
    }
  CHECK(seen);
  peer.kill();
  peer.join();
  REQUIRE(eventually([&] { return attached(name) == 1; }));
}

TEST_CASE("remove_when_unused: gone when the last user detaches or is SIGKILLed", "[segment][lifetime]") {
  const std::string name = segment_name("unused");
  Removed removed{name};
  SECTION("the last handle going removes it") {
    {
      Segment seg = Segment::create(name, 4096, billiard::remove_when_unused);
      auto v = seg.find_or_create<billiard::RawValue<int>>("v");
      Segment second = Segment::open(name);
      REQUIRE(shm_exists(name));
    }
    CHECK_FALSE(shm_exists(name));
    CHECK(errno_of([&] { Segment::open(name); }) == ENOENT);
  }
  SECTION("every user SIGKILLed: the next open reports ENOENT and /dev/shm holds nothing of it") {
    std::vector<billiard::Process> peers;
    {
      Segment seg = Segment::create(name, 4096, billiard::remove_when_unused);
      for (int i = 0; i < 3; ++i) peers.push_back(billiard::Process::spawn({kPeer, "attach", name}));
      for (auto& p : peers) p.start();
      REQUIRE(eventually([&] { return attached(name) == 4; }));
    }
    REQUIRE(shm_exists(name));  // the peers still hold it
    for (auto& p : peers) p.kill();
    for (auto& p : peers) {
      REQUIRE(p.join(billiard::test::kJoinBound));
      REQUIRE(p.exitcode() == -SIGKILL);
    }
    CHECK(errno_of([&] { Segment::open(name); }) == ENOENT);
    CHECK_FALSE(shm_exists(name));
  }
}

TEST_CASE("SIGKILL inside find_or_create and erase, hundreds of times: every name usable", "[segment][chaos]") {
  constexpr int kKills = 300;
  constexpr int kNames = 8;
  const std::string name = segment_name("chaos");
  Removed removed{name};
  Segment seg = Segment::create(name, 1 << 16);
  const std::size_t free = seg.free_bytes();
  const std::vector<long> pattern{1, 2, 3, 4, 5, 6, 7};
  auto churn = [&](int seed) {
    std::minstd_rand rng(static_cast<unsigned>(seed));
    while (true) {
      const std::string object = "o" + std::to_string(rng() % kNames);
      auto arr = seg.find_or_create<billiard::RawArray<long>>(object, std::span<const long>(pattern));
      // A half-built object would show here: the pattern is written before the record is linked.
      billiard::test::expect(arr.to_vector() == pattern, object + " is whole");
      auto v = seg.find_or_create<billiard::Value<int, billiard::RobustLock>>("v" + std::to_string(rng() % kNames));
      try {
        v.store(1);
      } catch (const billiard::owner_died&) {  // a killed sibling held it: we hold it now
        v.get_lock().unlock();
      }
      if (rng() % 2 == 0) seg.erase(object);
    }
  };
  std::minstd_rand rng(12345);
  int exited = 0;
  for (int kill = 0; kill < kKills; ++kill) {
    billiard::Process p(churn, kill);
    p.start();
    std::this_thread::sleep_for(std::chrono::microseconds(200 + rng() % 3000));
    p.kill();
    REQUIRE(p.join(billiard::test::kJoinBound));
    if (p.exitcode() != -SIGKILL) ++exited;  // a failed check exits 1
  }
  REQUIRE(exited == 0);
  // Every name usable, nothing hanging, nothing half-built, no byte lost.
  for (int i = 0; i < kNames; ++i) {
    auto arr = seg.find_or_create<billiard::RawArray<long>>("o" + std::to_string(i), std::span<const long>(pattern));
    REQUIRE(arr.to_vector() == pattern);
    auto v = seg.find_or_create<billiard::Value<int, billiard::RobustLock>>("v" + std::to_string(i));
    bool locked = false;
    try {
      locked = v.get_lock().try_lock_for(5s);
    } catch (const billiard::owner_died&) {
      locked = true;  // taken, its last holder was killed
    }
    REQUIRE(locked);
    v.get_lock().unlock();
  }
  for (const std::string& n : seg.names()) REQUIRE(seg.erase(n));
  REQUIRE(seg.free_bytes() == free);
}

// ---- The waiting types and Queue in a segment: each found by name in a spawned
// program (tests/segment_peer) and working across the two.

TEST_CASE("an Event set in one program wakes a waiter in another", "[segment][spawn][waiting]") {
  const std::string name = segment_name("event");
  Removed removed{name};
  Segment seg = Segment::create(name, 1 << 16);
  auto go = seg.find_or_create<billiard::Event>("go");
  auto back = seg.find_or_create<billiard::Event>("back");
  billiard::Process peer = start_peer({"event", name});
  REQUIRE_FALSE(back.wait_for(50ms));  // the peer waits for go
  go.set();
  REQUIRE(back.wait_for(billiard::test::kJoinBound));
  finish_peer(peer);
  REQUIRE(Segment::open(name).find<billiard::Event>("go")->is_set());  // a second mapping sees it set
}

TEST_CASE("a Queue item put by one program is got by another, in order, each once", "[segment][spawn][waiting]") {
  constexpr long kItems = 2000;
  const std::string name = segment_name("queue");
  Removed removed{name};
  Segment seg = Segment::create(name, 1 << 20);
  auto in = seg.find_or_create<billiard::Queue<long>>("in", 4);  // small: the test's puts block
  auto out = seg.find_or_create<billiard::Queue<long>>("out", static_cast<std::size_t>(kItems));
  billiard::Process peer = start_peer({"queue", name, std::to_string(kItems)});
  for (long i = 0; i < kItems; ++i) REQUIRE(in.put_for(i, billiard::test::kJoinBound));
  for (long i = 0; i < kItems; ++i) REQUIRE(out.get_for(billiard::test::kJoinBound) == -i);
  finish_peer(peer);
  REQUIRE(in.empty());
  REQUIRE_FALSE(out.try_get());
  REQUIRE(seg.find<billiard::Queue<long>>("in")->capacity() == 4);
}

TEST_CASE("a Barrier of 2 parties across two programs: indices 0 and 1 each round", "[segment][spawn][waiting]") {
  constexpr int kRounds = 100;
  const std::string name = segment_name("barrier");
  Removed removed{name};
  Segment seg = Segment::create(name, 1 << 16);
  auto b = seg.find_or_create<billiard::Barrier>("b", 2);
  auto index = seg.find_or_create<billiard::RawArray<int>>("index", kRounds);
  billiard::Process peer = start_peer({"barrier", name, std::to_string(kRounds)});
  std::vector<int> mine;
  for (int r = 0; r < kRounds; ++r) mine.push_back(static_cast<int>(b.wait_for(billiard::test::kJoinBound)));
  finish_peer(peer);
  for (int r = 0; r < kRounds; ++r) {
    INFO("round " << r);
    REQUIRE(mine[r] + index[r] == 1);
    REQUIRE(mine[r] * index[r] == 0);  // {0, 1}
  }
  REQUIRE(b.n_waiting() == 0);
  REQUIRE_FALSE(b.broken());
}

TEST_CASE("a Semaphore's permits are shared by two programs", "[segment][spawn][waiting]") {
  const std::string name = segment_name("semaphore");
  Removed removed{name};
  Segment seg = Segment::create(name, 1 << 16);
  auto s = seg.find_or_create<billiard::Semaphore>("s", 3);
  auto taken = seg.find_or_create<billiard::Event>("taken");
  billiard::Process peer = start_peer({"semaphore", name});
  REQUIRE(taken.wait_for(billiard::test::kJoinBound));  // the peer took all 3
  REQUIRE(s.value() == 0);
  REQUIRE_FALSE(s.try_acquire());
  s.release();  // wakes the peer's 5th acquire
  finish_peer(peer);
  REQUIRE(s.value() == 0);
  REQUIRE(seg.find_or_create<billiard::Semaphore>("s", 7).value() == 0);  // found: the argument is ignored
}

TEMPLATE_TEST_CASE("a Condition in a segment wakes a waiter in another program, every lock kind",
                   "[segment][spawn][waiting]", billiard::FutexLock, billiard::TicketLock, billiard::SpinLock,
                   billiard::PthreadMutex, billiard::RobustLock, billiard::RecursiveLock<billiard::FutexLock>,
                   billiard::SeqLock) {
  const std::string name = segment_name("condition");
  Removed removed{name};
  Segment seg = Segment::create(name, 1 << 16);
  auto cv = seg.find_or_create<billiard::Condition<TestType>>("cv");
  auto ready = seg.find_or_create<billiard::RawValue<int>>("ready");
  billiard::Process peer = start_peer({"condition", name, std::string(TestType::kName)});
  {
    std::unique_lock held(cv);
    ready.store(1);
    cv.notify_all();
  }
  {
    std::unique_lock held(cv);
    REQUIRE(cv.wait_for(billiard::test::kJoinBound, [&] { return ready.load() == 2; }));
  }
  finish_peer(peer);
  // Its lock is the one in the segment: held through one mapping, busy through another.
  auto again = Segment::open(name).find<billiard::Condition<TestType>>("cv");
  REQUIRE(again);
  std::unique_lock held(cv);
  REQUIRE(&again->get_lock().get() != &cv.get_lock().get());
  if constexpr (!std::is_same_v<TestType, billiard::RecursiveLock<billiard::FutexLock>>) REQUIRE_FALSE(again->try_lock());
}

TEST_CASE("waiting types and Queue: a layout mismatch names both, bad arguments store nothing",
          "[segment][layout][waiting]") {
  using Catch::Matchers::Contains;
  const std::string name = segment_name("waitlayout");
  Removed removed{name};
  Segment seg = Segment::create(name, 1 << 16);
  seg.find_or_create<billiard::Queue<int>>("q", 8);
  seg.find_or_create<billiard::Condition<>>("cv");
  seg.find_or_create<billiard::Semaphore>("s", 2);
  seg.find_or_create<billiard::Barrier>("b", 3);
  seg.find_or_create<billiard::Event>("e");
  REQUIRE(seg.find<billiard::Queue<int>>("q")->capacity() == 8);  // find takes any capacity
  REQUIRE(seg.find<billiard::Barrier>("b")->parties() == 3);

  SECTION("Queue capacity") {
    CHECK_THAT(thrown<billiard::layout_mismatch>([&] { seg.find_or_create<billiard::Queue<int>>("q", 16); }),
               Contains("stored as Queue<int> (size 4, align 4, lock none, length 8") &&
                   Contains("asked for as Queue<int> (size 4, align 4, lock none, length 16"));
  }
  SECTION("Queue element type") {
    CHECK_THAT(thrown<billiard::layout_mismatch>([&] { seg.find<billiard::Queue<long>>("q"); }),
               Contains("stored as Queue<int>") && Contains("asked for as Queue<" + tn<long>() + ">"));
  }
  SECTION("Condition lock kind") {
    CHECK_THAT(thrown<billiard::layout_mismatch>([&] { seg.find<billiard::Condition<billiard::TicketLock>>("cv"); }),
               Contains("stored as Condition<" + tn<billiard::FutexLock>() + ">") && Contains("asked for as Condition<" + tn<billiard::TicketLock>() + ">"));
  }
  SECTION("waiting type kind") {
    CHECK_THAT(thrown<billiard::layout_mismatch>([&] { seg.find<billiard::BoundedSemaphore>("s"); }),
               Contains("stored as Semaphore (") && Contains("asked for as BoundedSemaphore ("));
    CHECK_THAT(thrown<billiard::layout_mismatch>([&] { seg.find<billiard::Event>("b"); }),
               Contains("stored as Barrier (") && Contains("asked for as Event ("));
    CHECK_THAT(thrown<billiard::layout_mismatch>([&] { seg.find<billiard::Lock<>>("cv"); }),
               Contains("stored as Condition<" + tn<billiard::FutexLock>() + ">") && Contains("asked for as Lock<" + tn<billiard::FutexLock>() + ">"));
  }
  SECTION("bad arguments throw as the handles' constructors do and store nothing") {
    const std::size_t free = seg.free_bytes();
    CHECK_THAT(thrown<std::invalid_argument>([&] { seg.find_or_create<billiard::Queue<int>>("q0", 0); }),
               Contains("0"));
    CHECK_THROWS_AS(seg.find_or_create<billiard::Queue<int>>("qbig", std::size_t{1} << 30), std::length_error);
    CHECK_THAT(thrown<std::invalid_argument>([&] { seg.find_or_create<billiard::Barrier>("b0", 0); }),
               Contains("0"));
    CHECK_THAT(thrown<std::invalid_argument>([&] { seg.find_or_create<billiard::Semaphore>("neg", -1); }),
               Contains("-1"));
    CHECK(seg.names().size() == 5);
    CHECK(seg.free_bytes() == free);
  }
}
