// FutexLock's own rules, and the lost-wake bound it shares with RobustLock
// through OwnerWord: a sleeper woken and SIGKILLed before it takes the lock
// strands no other sleeper (issue 10, defect 3); a waiter that has waited
// past OwnerWord::kStarveAfter is handed the lock at the next unlock (issue 14).
#include <catch2/catch.hpp>

#include <sched.h>
#include <signal.h>
#include <sys/mman.h>
#include <sys/resource.h>
#include <sys/syscall.h>

#include <algorithm>
#include <chrono>
#include <cstdint>
#include <fstream>
#include <iterator>
#include <string>
#include <thread>
#include <vector>

#include "billiard/billiard.hpp"
#include "billiard/locks/owner_word.hpp"
#include "billiard/test/support.hpp"

using namespace std::chrono_literals;
using billiard::test::kJoinBound;
using Clock = std::chrono::steady_clock;

namespace {

std::int64_t now_ns() {
  return std::chrono::duration_cast<std::chrono::nanoseconds>(Clock::now().time_since_epoch()).count();
}

// True while process pid sleeps in futex(2): /proc/<pid>/syscall names the
// call a task that is not running is in, and /proc/<pid>/stat says whether it
// sleeps (S) or was woken and waits for a CPU (R: off the futex queue already).
bool blocked_in_futex(pid_t pid) {
  const std::string proc = "/proc/" + std::to_string(pid);
  std::ifstream syscall_file(proc + "/syscall");
  long number = -1;
  if (!(syscall_file >> number) || number != SYS_futex) return false;
  std::ifstream stat_file(proc + "/stat");
  const std::string stat((std::istreambuf_iterator<char>(stat_file)), std::istreambuf_iterator<char>());
  const auto name_end = stat.rfind(')');  // the command name may hold spaces
  return name_end != std::string::npos && stat.compare(name_end, 4, ") S ") == 0;
}

// How often process pid has gone to sleep (/proc/<pid>/status).
long voluntary_switches(pid_t pid) {
  std::ifstream in("/proc/" + std::to_string(pid) + "/status");
  for (std::string line; std::getline(in, line);)
    if (line.rfind("voluntary_ctxt_switches:", 0) == 0) return std::stol(line.substr(line.find(':') + 1));
  return -1;
}

// Waits until pid sleeps in futex(2) having gone to sleep more than `after` times.
void await_futex_sleep(pid_t pid, long after = -1) {
  const auto give_up = Clock::now() + 10s;
  while (!blocked_in_futex(pid) || voluntary_switches(pid) <= after) {
    REQUIRE(Clock::now() < give_up);
    std::this_thread::sleep_for(100us);
  }
}

// Pins the calling thread to the CPU it runs on while alive; children forked
// meanwhile inherit the pin.
class PinnedHere {
 public:
  PinnedHere() {
    REQUIRE(sched_getaffinity(0, sizeof(all_), &all_) == 0);
    cpu_set_t one;
    CPU_ZERO(&one);
    CPU_SET(sched_getcpu(), &one);
    REQUIRE(sched_setaffinity(0, sizeof(one), &one) == 0);
  }
  PinnedHere(const PinnedHere&) = delete;
  PinnedHere& operator=(const PinnedHere&) = delete;
  ~PinnedHere() { sched_setaffinity(0, sizeof(all_), &all_); }
  void unpin_child() const {  // in a child: back to every CPU the parent had
    if (sched_setaffinity(0, sizeof(all_), &all_) != 0) throw std::runtime_error("sched_setaffinity");
  }

 private:
  cpu_set_t all_;
};

}  // namespace

// S1 sleeps first, S2 second, both in lock(). S1 runs at SCHED_IDLE on the
// parent's CPU, so after the parent's unlock() wakes it (the kernel wakes
// the oldest sleeper; with a hand-off pending, the oldest starving one), it
// cannot run before the parent SIGKILLs it. Before the fix, the unlock had
// cleared kWaiters and S2 slept on the free lock until its 5 s deadline.
// Now S2 re-reads the word within OwnerWord::kRecheck.
TEMPLATE_TEST_CASE("a sleeper woken and killed before it locks strands no other sleeper",
                   "[locks][fork][death]", billiard::FutexLock, billiard::RobustLock) {
  constexpr int kRounds = 30;
  const PinnedHere pinned;
  std::int64_t longest_ns = 0;
  int killed_woken = 0;  // rounds in which S1 was woken and killed (it never ran to the end)
  int killed_plain = 0;  // of those, rounds without a hand-off pending (round % 3 == 0)
  for (int round = 0; round < kRounds; ++round) {
    billiard::Lock<TestType> lock;
    billiard::RawValue<std::int64_t> acquired_ns(0);
    lock.lock();
    billiard::Process s1([&] {
      const sched_param none{};
      if (sched_setscheduler(0, SCHED_IDLE, &none) != 0) throw std::runtime_error("SCHED_IDLE");
      lock.lock();
      lock.unlock();
    });
    s1.start();
    await_futex_sleep(s1.pid());
    billiard::Process s2([&] {
      pinned.unpin_child();
      const bool got = lock.try_lock_for(5s);
      acquired_ns.store(got ? now_ns() : -1);
      if (got) lock.unlock();
    });
    s2.start();
    await_futex_sleep(s2.pid());
    std::this_thread::sleep_for(std::chrono::milliseconds(round % 3));  // with and without a hand-off pending
    const std::int64_t unlocked_ns = now_ns();
    lock.unlock();
    s1.kill();
    REQUIRE(s1.join(kJoinBound));
    REQUIRE(s2.join(kJoinBound));
    REQUIRE(s2.exitcode() == 0);
    killed_woken += s1.exitcode() == -SIGKILL;
    killed_plain += s1.exitcode() == -SIGKILL && round % 3 == 0;
    REQUIRE(lock.get().owner() == 0);
    const std::int64_t acquired = acquired_ns.load();
    INFO("round " << round << ": S2 did not get the free lock within 5 s");
    REQUIRE(acquired > 0);
    longest_ns = std::max(longest_ns, acquired - unlocked_ns);
  }
  WARN(TestType::kName << ": longest stall of the remaining sleeper " << longest_ns / 1000 << " us over "
                       << kRounds << " rounds, " << killed_woken << " with the wakee killed (" << killed_plain
                       << " without a hand-off pending; bound: kRecheck "
                       << billiard::OwnerWord::kRecheck.count() << " ms)");
  // S1 seldom runs first without a hand-off (SCHED_IDLE still gets a sliver of
  // the CPU). With one (the rounds that sleep 1 or 2 ms make the sleepers
  // starve), unlock() yields the CPU after its wake, so S1 often runs to its
  // end before the kill: 13 of 30 rounds killed it in CI. So the check is on
  // the rounds without a hand-off pending.
  CHECK(killed_plain >= kRounds / 3 / 2);
  // kRecheck plus room for a busy machine's scheduler (8 engineers' builds on
  // 2 cores delayed the survivor by up to 0.25 s); the defect was forever.
  CHECK(longest_ns < std::chrono::nanoseconds(1s).count());
}

// The holder unlocks while a waiter that has waited past kStarveAfter sleeps:
// the word is reserved for that waiter, so the holder's own try_lock right
// after unlock() (a newcomer barging) fails, or finds that the waiter has had
// its turn. Before bounded unfairness it succeeded first: the woken waiter had
// not run yet.
TEST_CASE("a waiter that waited past kStarveAfter is handed the lock; newcomers cannot barge",
          "[locks][fork][fairness]") {
  constexpr int kRounds = 10;
  for (int round = 0; round < kRounds; ++round) {
    billiard::Lock<billiard::FutexLock> lock;
    billiard::RawValue<int> got(0);
    lock.lock();
    billiard::Process waiter([&] {
      lock.lock();
      got.store(1);
      lock.unlock();
    });
    waiter.start();
    await_futex_sleep(waiter.pid());
    // Its first sleep ends at kStarveAfter; then it asks for the hand-off and
    // sleeps again, starving. (A fixed pause is not enough on a busy machine.)
    await_futex_sleep(waiter.pid(), voluntary_switches(waiter.pid()));
    lock.unlock();
    // Taking it before the waiter had its turn is a barge; after it (the
    // wakee may run before we do) it is not.
    const bool barged = lock.try_lock() && got.load() == 0;
    if (lock.get().owner() == billiard::current_tid()) lock.unlock();
    CHECK_FALSE(barged);
    REQUIRE(waiter.join(kJoinBound));
    REQUIRE(waiter.exitcode() == 0);
    CHECK(got.load() == 1);
    CHECK(lock.get().owner() == 0);
  }
}

// The holder unlocks the moment a starving waiter has asked for the hand-off,
// while that waiter still watches the word awake (it sleeps only after a
// Backoff). The waiter gets the lock (asleep or awake), the holder's own
// try_acquire right after unlock (a newcomer barging) does not, and the
// waiter holds it without kHandoff: the hand-off is done, so its unlock is a
// plain one. Before, the taker kept kHandoff, and its unlock reserved the word
// again for nobody (a futex_wake that found no one, then another to
// un-reserve); and a starving waiter that took the word between the unlock's
// exchange and its reservation got kHandoff put on its own hold. How many
// rounds took the hand-off awake (no second sleep) depends on the machine's
// load, so it is reported, not checked; a round may barge if the machine
// preempts the waiter for the unlock's whole spin, and a round may end with
// kHandoff on the waiter's hold if the unlock is preempted between its
// exchange and its reservation for longer than the waiter's watch (the
// specification allows both; seen once in 20 rounds under CI load), hence
// those margins. The code before this test marked 8 of 10 rounds.
TEST_CASE("a hand-off to a starving waiter, asleep or awake, ends with it: its hold drops kHandoff, but for a preempted unlock",
          "[locks][fork][fairness]") {
  using billiard::OwnerWord;
  constexpr int kRounds = 20;
  cpu_set_t all;
  REQUIRE(sched_getaffinity(0, sizeof(all), &all) == 0);
  if (CPU_COUNT(&all) < 2) {
    WARN("skipped: needs two CPUs (the waiter watches while the holder unlocks)");
    return;
  }
  std::vector<int> cpus;
  for (int c = 0; c < CPU_SETSIZE && cpus.size() < 2; ++c)
    if (CPU_ISSET(c, &all)) cpus.push_back(c);
  const auto pin = [](int cpu) {
    cpu_set_t one;
    CPU_ZERO(&one);
    CPU_SET(cpu, &one);
    return sched_setaffinity(0, sizeof(one), &one) == 0;
  };
  REQUIRE(pin(cpus[0]));
  void* page = mmap(nullptr, sizeof(OwnerWord), PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS, -1, 0);
  REQUIRE(page != MAP_FAILED);
  int barged = 0, awake = 0, marked = 0;
  for (int round = 0; round < kRounds; ++round) {
    OwnerWord& word = *new (page) OwnerWord;
    const std::uint32_t self = billiard::current_tid();
    REQUIRE(word.try_acquire_free(self));
    billiard::RawValue<std::uint32_t> held_as(0);  // the word while the waiter held it
    billiard::RawValue<long> sleeps(0);            // how often the waiter slept in lock()
    billiard::Process waiter([&] {
      if (!pin(cpus[1])) throw std::runtime_error("sched_setaffinity");
      const std::uint32_t me = billiard::current_tid();
      rusage before{}, after{};
      getrusage(RUSAGE_SELF, &before);
      if (!word.try_acquire_free(me)) word.acquire_contended(me, std::nullopt, billiard::Fairness::bounded);
      held_as.store(word.raw());
      getrusage(RUSAGE_SELF, &after);
      sleeps.store(after.ru_nvcsw - before.ru_nvcsw);
      word.release();
    });
    waiter.start();
    const auto give_up = Clock::now() + 10s;
    while ((word.raw() & OwnerWord::kHandoff) == 0 && Clock::now() < give_up) {
    }
    REQUIRE((word.raw() & OwnerWord::kHandoff) != 0);  // it asked within 10 s
    word.release();
    // Taking it before the waiter had its turn is a barge; after it, not.
    barged += word.try_acquire_free(self) && held_as.load() == 0;
    if (word.owner() == self) word.release();
    REQUIRE(waiter.join(kJoinBound));
    REQUIRE(waiter.exitcode() == 0);
    CHECK((held_as.load() & OwnerWord::kOwnerMask) == static_cast<std::uint32_t>(waiter.pid()));
    marked += (held_as.load() & OwnerWord::kHandoff) != 0;
    awake += sleeps.load() == 1;  // its first sleep (until kStarveAfter) only
    CHECK(word.raw() == 0);
    word.~OwnerWord();
  }
  REQUIRE(sched_setaffinity(0, sizeof(all), &all) == 0);
  munmap(page, sizeof(OwnerWord));
  WARN(awake << " of " << kRounds << " rounds took the hand-off awake (no second sleep); " << barged
              << " barged; " << marked << " held with kHandoff");
  CHECK(barged <= kRounds / 4);
  CHECK(marked <= kRounds / 4);
}
