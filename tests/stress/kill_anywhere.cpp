// kill-anywhere (issue 10's main job): for every lock kind, workers lock,
// update a checked record and unlock in a loop while the parent SIGKILLs a
// random worker at a random moment, --kills times per kind, and starts a
// replacement each time. Victims are holders, waiters (inside lock()),
// readers (SeqLock's optimistic load()) and workers between rounds alike.
//
// The record: version (the commit point), a and b, whole when a == b ==
// version. A writer checks it is whole, writes a, pauses, writes b, then
// version. A worker that is told owner_died rolls a half-written update back.
// holder: the pid of the process inside the critical section. A process that
// enters while it holds another live pid, without having been told owner_died,
// is a double holder. confirmed: the highest version whose unlock returned; a
// round that ends with a smaller version lost committed updates.
//
// How a kill is classified: the parent stops the victim (SIGSTOP, and waits
// until it has stopped), reads the victim's phase and the lock's owner(), then
// kills it. Phase "holding", or "locking"/"unlocking" with owner() == its pid,
// is a holder. A kind whose owner() is stored after the lock is taken
// (TicketLock, PthreadMutex, RecursiveLock) cannot tell a victim in that
// window from a waiter while owner() reads 0: such a moment is skipped (the
// victim is continued) rather than guessed.
//
// A holder's death: a kind that reports owner death (probed once per kind: a
// process dies holding a fresh lock and the parent's try_lock_for must throw
// owner_died) goes on, and the next locker must be told. Any other kind's lock
// stays taken by design: that is counted (holder_deaths_by_design) and the
// round restarts with a fresh lock and fresh workers; it is never a hang.
//
// A hang: a live worker whose progress count stays put for kStall while the
// lock is not held by the dead (dead holders of non-reporting kinds restart
// the round at once; a reporting kind must hand its lock on). A hang is
// reported with the victim's role and the stuck worker's phase; the round
// restarts with a fresh lock; after kMaxHangs a kind stops early. The longest
// stall: from a kill to the next committed update, over every kill that let
// the round go on. The harness never hangs: every join is bounded and every
// worker is killed at the end of its round.
#include <signal.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <cstdint>
#include <memory>
#include <random>
#include <string>
#include <thread>
#include <type_traits>
#include <vector>

#include "billiard/billiard.hpp"
#include "lock_kinds.hpp"
#include "pause.hpp"
#include "scenarios.hpp"

namespace billiard::stress {
namespace {

using Clock = std::chrono::steady_clock;

constexpr auto kStall = std::chrono::seconds(2);           // no progress this long on a free lock: a hang
constexpr int kMaxHangs = 3;                              // each costs kStall: a kind stops after this many
constexpr auto kProbe = std::chrono::milliseconds(200);    // the owner-death probe's wait
constexpr auto kMaxGap = std::chrono::microseconds(300);   // the random moment: up to this long between kills
constexpr auto kPoll = std::chrono::microseconds(20);      // how often the parent looks (it sleeps between)

// Whether owner() names the holder from the instant the lock is taken (the
// owner is the lock word itself), or is stored just after.
template <class Kind>
inline constexpr bool kOwnerExact = !std::is_same_v<Kind, TicketLock> && !std::is_same_v<Kind, PthreadMutex> &&
                                    !std::is_same_v<Kind, RecursiveLock<FutexLock>>;

struct Record {
  std::int64_t version;  // the commit point: updates committed so far
  std::int64_t a, b;     // == version when whole
};

enum Phase : int { kOutside, kLocking, kHolding, kUnlocking, kReading };

const char* phase_name(int phase) {
  switch (phase) {
    case kLocking: return "waiting in lock()";
    case kHolding: return "holding";
    case kUnlocking: return "in unlock()";
    case kReading: return "reading";
    default: return "outside the lock";
  }
}

// Every field is written with relaxed atomic stores: a SeqLock's optimistic
// readers copy the record while a writer writes it (the lock orders the rest).
std::int64_t get(const std::int64_t& field) {
  return std::atomic_ref<std::int64_t>(const_cast<std::int64_t&>(field)).load(std::memory_order_relaxed);
}
void put(std::int64_t& field, std::int64_t value) {
  std::atomic_ref<std::int64_t>(field).store(value, std::memory_order_relaxed);
}
bool whole(const Record& r) { return get(r.a) == get(r.version) && get(r.b) == get(r.version); }

// What one round's workers and the parent share. A round ends by killing all
// of its workers; the next gets a fresh one (a lock left taken stays behind).
template <class Kind>
struct Shared {
  explicit Shared(int processes) : phase(static_cast<std::size_t>(processes)), progress(static_cast<std::size_t>(processes)) {}

  Value<Record, Kind> record{Record{}};
  RawValue<std::int32_t> holder;      // pid inside the critical section, 0 when none
  RawValue<int> stop;                 // the round is over: leave the loop
  RawValue<long long> confirmed;      // highest version whose unlock returned
  RawValue<long long> double_holders; // entries while another pid was recorded inside, without owner_died
  RawValue<long long> inconsistent;   // records found broken without owner_died, or torn reads
  RawValue<long long> reported;       // owner_died caught
  RawArray<int> phase;                // each worker's Phase
  RawArray<long long> progress;       // each worker's finished loops
};

// One turn inside the lock: enter, check, maybe update, leave. The lock is held.
template <class Kind>
void critical_section(const Shared<Kind>& s, std::int32_t self, bool told_owner_died, bool writes) {
  Record& r = *s.record.get_obj().data();
  std::int32_t inside = 0;
  // seq_cst: the double-holder check must see another holder's entry whatever the lock's orders
  if (!s.holder.compare_exchange_strong(inside, self)) {
    if (!told_owner_died) s.double_holders.fetch_add(1);
    s.holder.store(self);
  }
  if (told_owner_died) {
    s.reported.fetch_add(1);
    put(r.a, get(r.version));  // roll the dead holder's half-written update back
    put(r.b, get(r.version));
  } else if (!whole(r)) {
    s.inconsistent.fetch_add(1);
  }
  if (writes) {
    const std::int64_t next = get(r.version) + 1;
    put(r.a, next);
    pause();  // a kill often lands here, between the halves
    put(r.b, next);
    put(r.version, next);
  }
  inside = self;
  s.holder.compare_exchange_strong(inside, 0);  // fails only after a double entry, already counted
}

template <class Kind>
void work(const Shared<Kind>& s, std::size_t slot, bool writes, std::uint64_t seed, pid_t parent) {
  // Dies with the harness, whatever kills it: no worker outlives a run.
  prctl(PR_SET_PDEATHSIG, SIGKILL);
  if (getppid() != parent) return;  // it died before prctl
  std::minstd_rand rng(static_cast<std::uint_fast32_t>(seed));
  Kind& lock = s.record.get_lock();
  const auto self = static_cast<std::int32_t>(getpid());
  // relaxed phase stores: the parent reads them only once this process is
  // stopped (SIGSTOP and waitid), which orders everything it did before.
  while (s.stop.load(std::memory_order_relaxed) == 0) {  // relaxed: a flag checked again next loop
    if constexpr (std::is_same_v<Kind, SeqLock>) {
      if (!writes) {  // the optimistic reader: a whole record or owner_died, never a torn one
        s.phase.store(slot, kReading, std::memory_order_relaxed);
        try {
          const Record r = s.record.load();
          if (r.a != r.version || r.b != r.version) s.inconsistent.fetch_add(1);
        } catch (const owner_died&) {
          s.reported.fetch_add(1);
        }
        s.phase.store(slot, kOutside, std::memory_order_relaxed);
        s.progress.fetch_add(slot, 1, std::memory_order_relaxed);
        continue;
      }
    }
    s.phase.store(slot, kLocking, std::memory_order_relaxed);
    bool told = false;
    try {
      lock.lock();
    } catch (const owner_died&) {
      told = true;  // and we hold it
    }
    s.phase.store(slot, kHolding, std::memory_order_relaxed);
    critical_section(s, self, told, writes);
    const long long committed = get(s.record.get_obj().data()->version);
    s.phase.store(slot, kUnlocking, std::memory_order_relaxed);
    lock.unlock();
    s.phase.store(slot, kOutside, std::memory_order_relaxed);
    long long seen = s.confirmed.load();
    while (seen < committed && !s.confirmed.compare_exchange_weak(seen, committed)) {
    }
    s.progress.fetch_add(slot, 1, std::memory_order_relaxed);  // relaxed: a counter the parent watches
    for (unsigned spins = rng() % 64; spins > 0; --spins) cpu_relax();
  }
}

// Stops pid and waits until it has stopped (its phase and the lock word no
// longer change). WNOWAIT: an exit is left for its Process to reap.
bool stop_process(pid_t pid) {
  if (::kill(pid, SIGSTOP) != 0) return false;
  siginfo_t info{};
  int r;
  do r = waitid(P_PID, static_cast<id_t>(pid), &info, WSTOPPED | WEXITED | WNOWAIT);
  while (r < 0 && errno == EINTR);
  return r == 0 && info.si_code == CLD_STOPPED;
}

// Does Kind report a dead holder to the next locker? A process dies holding a
// fresh lock; the parent's timed wait must then throw owner_died or time out.
template <class Kind>
bool reports_owner_death(Result& row) {
  Lock<Kind> lock;
  Process holder([&] { lock.lock(); });  // exits holding it
  holder.set_name("probe holder");
  holder.start();
  holder.join();
  try {
    if (lock.try_lock_for(kProbe)) {
      row.failures.push_back("a dead holder's lock was handed out without owner_died");
      lock.unlock();
    }
    return false;
  } catch (const owner_died&) {
    lock.unlock();
    return true;
  }
}

// One round: a fresh lock and record, and its workers (the last one a reader).
template <class Kind>
class Round {
 public:
  Round(int processes, std::uint64_t& seeds) : shared_(processes), seeds_(seeds) {
    for (int i = 0; i < processes; ++i) workers_.emplace_back([] {});  // placeholders: reader() needs the count
    watch_.resize(workers_.size());
    for (std::size_t i = 0; i < workers_.size(); ++i) spawn(i);
  }
  Round(const Round&) = delete;
  Round& operator=(const Round&) = delete;
  ~Round() { kill_all(); }

  const Shared<Kind>& shared() const noexcept { return shared_; }
  std::size_t size() const noexcept { return workers_.size(); }
  Process& worker(std::size_t i) { return workers_[i]; }
  bool reader(std::size_t i) const noexcept { return i + 1 == workers_.size(); }

  // A fresh process in slot i, which starts outside the lock.
  void spawn(std::size_t i) {
    shared_.phase.store(i, kOutside);
    Process p(work<Kind>, std::cref(shared_), i, !reader(i), ++seeds_, getpid());
    p.set_name(reader(i) ? "reader" : "writer " + std::to_string(i));
    p.start();
    workers_[i] = std::move(p);
    watch_[i] = {shared_.progress.load(i), Clock::now()};
  }

  // The slot of a live worker whose progress stayed put for kStall, or -1.
  int stalled() {
    const auto now = Clock::now();
    for (std::size_t i = 0; i < workers_.size(); ++i) {
      const long long count = shared_.progress.load(i);
      if (count != watch_[i].count) {
        watch_[i] = {count, now};
      } else if (now - watch_[i].since >= kStall) {
        return static_cast<int>(i);
      }
    }
    return -1;
  }

  // Ends the round: asks the workers to stop, then kills whoever did not
  // within `grace` (every one, for grace 0). The count of those killed.
  int end(Clock::duration grace) {
    shared_.stop.store(1);
    int killed = 0;
    const auto bound = Clock::now() + grace;
    for (Process& w : workers_) {
      if (w.pid() == 0 || w.exitcode()) continue;
      if (!w.join(std::max(bound - Clock::now(), Clock::duration::zero()))) {
        w.kill();
        w.join();
        ++killed;
      }
    }
    return killed;
  }

  // Crashed workers (an exit code other than 0, not killed by us), by name.
  std::vector<std::string> crashes() {
    std::vector<std::string> found;
    for (Process& w : workers_)
      if (w.pid() != 0 && w.exitcode() && *w.exitcode() != 0 && *w.exitcode() != -SIGKILL)
        found.push_back(w.name() + " exited with code " + std::to_string(*w.exitcode()));
    return found;
  }

 private:
  void kill_all() noexcept {
    for (Process& w : workers_) {
      try {
        if (w.pid() != 0 && !w.exitcode()) w.kill();
        if (w.pid() != 0) w.join();
      } catch (...) {
      }
    }
  }

  struct Watch {
    long long count;
    Clock::time_point since;
  };
  Shared<Kind> shared_;
  std::uint64_t& seeds_;
  std::vector<Process> workers_;
  std::vector<Watch> watch_;
};

template <class Kind>
void run_kind(Result& row, const Settings& s) {
  KillFigures f;
  const auto started = Clock::now();
  f.reports_owner_death = reports_owner_death<Kind>(row);
  std::mt19937_64 rng(s.seed);
  std::uint64_t seeds = s.seed;
  auto round = std::make_unique<Round<Kind>>(s.processes, seeds);
  long long committed = 0;  // by rounds already over

  // Closes the round: lost updates and crashes counted, then a fresh one.
  const auto close = [&](bool next, Clock::duration grace) {
    const int killed = round->end(grace);
    const Shared<Kind>& sh = round->shared();
    const long long version = get(sh.record.get_obj().data()->version);
    row.observed += version;
    row.expected += std::max(version, sh.confirmed.load());
    committed += version;
    f.double_holders += sh.double_holders.load();
    row.violations += sh.inconsistent.load();
    f.reported += sh.reported.load();
    for (std::string& crash : round->crashes()) row.failures.push_back(std::move(crash));
    round.reset();
    ++f.rounds;
    if (next) round = std::make_unique<Round<Kind>>(s.processes, seeds);
    return killed;
  };
  // A hang: says what was killed last and what was stuck.
  std::string last_kill = "the round started";
  const auto hang = [&](const std::string& what) {
    ++f.hangs;
    row.failures.push_back(what + " for " + std::to_string(kStall.count()) + " s after " + last_kill);
    close(f.hangs < kMaxHangs, Clock::duration::zero());
    last_kill = "the round restarted";
  };

  // The stall after a death: from the first kill since the last commit to
  // the next commit. Watched all along, so kills need not wait for it.
  Clock::time_point pending{};  // meaningful while waiting
  bool waiting = false;
  std::int64_t seen_version = 0;
  // What is stuck, if anything: "" while all is well.
  const auto stuck = [&]() -> std::string {
    const std::int64_t version = get(round->shared().record.get_obj().data()->version);
    const auto now = Clock::now();
    if (version != seen_version) {
      seen_version = version;
      if (waiting)
        f.longest_stall_ms =
            std::max(f.longest_stall_ms, std::chrono::duration<double, std::milli>(now - pending).count());
      waiting = false;
    } else if (waiting && now - pending >= kStall) {
      return "no update committed";
    }
    const int slot = round->stalled();
    if (slot < 0) return "";
    const auto i = static_cast<std::size_t>(slot);
    return round->worker(i).name() + " (" + phase_name(round->shared().phase.load(i)) + ") made no progress";
  };

  while (f.kills < s.kills && f.hangs < kMaxHangs) {
    // The random moment, watching for stalls meanwhile.
    const auto moment = Clock::now() + std::chrono::microseconds(rng() % kMaxGap.count());
    std::string what;
    while ((what = stuck()).empty() && Clock::now() < moment) std::this_thread::sleep_for(kPoll);
    if (!what.empty()) {
      hang(what);
      waiting = false;
      seen_version = 0;
      continue;
    }
    const std::size_t v = rng() % round->size();
    Process& victim = round->worker(v);
    const pid_t pid = victim.pid();
    if (!stop_process(pid)) {  // it ended by itself: a crash, reported when the round closes
      victim.join();
      round->spawn(v);
      continue;
    }
    const int phase = round->shared().phase.load(v);
    const std::uint32_t owner = round->shared().record.get_lock().owner();
    const bool in_lock_call = phase == kLocking || phase == kUnlocking;
    const bool holds = phase == kHolding || (in_lock_call && owner == static_cast<std::uint32_t>(pid));
    if (!holds && in_lock_call && !kOwnerExact<Kind> && owner == 0) {
      ::kill(pid, SIGCONT);  // maybe just took it, maybe waiting: not a moment to guess
      ++f.skipped;
      continue;
    }
    const std::int64_t version_at_kill = get(round->shared().record.get_obj().data()->version);
    victim.kill();
    victim.join();
    ++f.kills;
    std::string role;
    if (holds) {
      ++f.holder_kills;
      role = "a holder";
    } else if (phase == kLocking) {
      ++f.waiter_kills;
      role = "a waiter";
    } else if (phase == kReading || round->reader(v)) {
      ++f.reader_kills;
      role = "a reader";
    } else {
      ++f.other_kills;
      role = "a worker outside the lock";
    }
    last_kill = "kill " + std::to_string(f.kills) + " (" + role + ", " + phase_name(phase) + ")";
    if (holds && !f.reports_owner_death) {
      ++f.holder_deaths_by_design;  // holder died: lock stays taken (by design)
      close(true, Clock::duration::zero());
      waiting = false;
      seen_version = 0;
      continue;
    }
    if (!waiting) {
      waiting = true;
      pending = Clock::now();
      seen_version = version_at_kill;
    }
    round->spawn(v);
  }
  if (f.hangs >= kMaxHangs)
    row.failures.push_back("stopped after " + std::to_string(kMaxHangs) + " hangs, at kill " +
                           std::to_string(f.kills) + " of " + std::to_string(s.kills));
  if (round) {
    const int killed = close(false, kStall);
    if (killed > 0) {
      f.hangs += killed;
      row.failures.push_back(std::to_string(killed) + " worker(s) did not stop within " +
                             std::to_string(kStall.count()) + " s at the end (killed)");
    }
  }
  row.seconds = std::chrono::duration<double>(Clock::now() - started).count();
  row.operations = committed;
  row.checks = f.kills;
  row.violations += f.double_holders;
  if (f.double_holders > 0) row.failures.push_back(std::to_string(f.double_holders) + " double holder(s)");
  row.kill_anywhere = f;
}

}  // namespace

std::vector<Job> kill_anywhere_jobs(const Settings& s) {
  std::vector<Job> jobs;
  for_each_kind([&]<class Kind>() {
    Result row = header("kill-anywhere", Variant::synchronized, kind_name<Kind>(), "3q", s.processes, s.kills);
    jobs.push_back({row, [=](Result& r) { run_kind<Kind>(r, s); }});
  });
  return jobs;
}

}  // namespace billiard::stress
