// One row of the stress report: what one variant of one scenario was
// expected to produce, what it produced, and how long it took.
#pragma once

#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace billiard::stress {

enum class Variant {
  raw,           // no lock: the report's finding is how much it gets wrong
  atomic,        // one atomic operation per access, no lock: must be exact
  synchronized,  // under a lock of the row's kind: must be exact
};
std::string_view to_string(Variant variant);

// owner-death's RobustLock and SeqLock rows: deaths of workers and what the survivors were told.
struct DeathFigures {
  long long kills = 0;          // workers killed while holding the lock
  long long kills_outside = 0;  // workers killed while not holding it
  long long reported = 0;       // owner_died caught by the next locker: must equal kills
  long long hangs = 0;          // waits for a survivor or a worker that ran past the bound
  double recovery_p50_us = 0;   // from a holder's kill to the next locker's owner_died
  double recovery_p99_us = 0;
};

// owner-death's other rows: timed waits behind a dead holder.
struct OvershootFigures {
  double timeout_us = 0;  // what each try_lock_for asked for
  double p50_us = 0;      // how long past that it returned
  double p99_us = 0;
  double max_us = 0;
};

// kill-anywhere's figures for one lock kind (tests/stress/kill_anywhere.cpp).
struct KillFigures {
  long long kills = 0;            // workers SIGKILLed, of which:
  long long holder_kills = 0;     //   inside the critical section (or its lock()/unlock() with the lock taken)
  long long waiter_kills = 0;     //   waiting in lock()
  long long reader_kills = 0;     //   the reader (SeqLock: in its optimistic load())
  long long other_kills = 0;      //   between turns
  long long skipped = 0;          // moments not killed: owner() could not tell holder from waiter
  bool reports_owner_death = false;    // the probe: the next locker after a dead holder gets owner_died
  long long holder_deaths_by_design = 0;  // non-reporting kinds: holder died, lock stays taken, fresh round
  long long reported = 0;         // owner_died caught by workers
  long long hangs = 0;            // a live worker without progress for 2 s on a free lock
  long long double_holders = 0;   // entries while another live pid was inside
  long long rounds = 0;           // fresh locks: 1 + restarts after by-design deaths and hangs
  double longest_stall_ms = 0;    // from a kill to the next committed update
};

// circular-buffer, circular-buffer-blocking and stats-condition (the seed's
// producers and consumers): what was delivered, and what waiting cost.
struct DeliveryFigures {
  long long put = 0;           // items the producers put (stats: updates made)
  long long got = 0;           // items the consumers took (stats: updates the reporter's last snapshot saw)
  long long duplicated = 0;    // deliveries beyond an item's first
  long long out_of_order = 0;  // items a consumer got after a later item of the same producer
  double wait_cpu_ms = 0;      // CPU time the consumers burned while waiting for an item
  double wait_ms = 0;          // wall time they spent waiting
  double idle_wait_cpu_ms = 0; // CPU time the consumers burned while the producers slept (IdleMeter, wait_cost.hpp)
  double idle_wait_ms = 0;     // the wall time of those sleeps, once per consumer; 0: the producers never sleep
};

struct Result {
  std::string scenario;
  Variant variant = Variant::raw;
  std::string lock;      // the kind's kName, or kNoLock
  std::string typecode;  // "l", "d", ...; torn-read's structs are "5q" and "2q"
  int processes = 0;
  long long iterations = 0;  // per process of the scenario's main role

  long long expected = 0;             // what an exact run ends with (updates, items, ...)
  long long observed = 0;             // what this run ended with
  long long violations = 0;           // duplicates, torn reads, inconsistent snapshots
  long long checks = 0;               // reads, snapshots or deliveries that were checked
  long long operations = 0;           // the main role's operations, for ns/op
  double seconds = 0;                 // from the start signal to the last worker's end
  std::vector<std::string> failures;  // workers that hung or crashed, by role
  std::optional<DeathFigures> deaths;          // owner-death, RobustLock and SeqLock
  std::optional<OvershootFigures> overshoot;   // owner-death, every other kind
  std::optional<KillFigures> kill_anywhere;    // kill-anywhere
  std::optional<DeliveryFigures> delivery;     // producer/consumer scenarios

  long long lost() const noexcept { return expected - observed; }
  double ns_per_op() const noexcept;  // 0 when a worker failed: the run did not finish
  bool exact() const noexcept { return lost() == 0 && violations == 0 && failures.empty(); }
  // Raw rows may lose and tear (that is what they show); a hang or crash fails any row.
  bool failed() const noexcept { return !failures.empty() || (variant != Variant::raw && !exact()); }
};

// {scenario, variant, lock, typecode, processes, iterations, expected,
//  observed, lost, violations, seconds, checks, operations, ns_per_op, failures},
// and owner-death's figures: kills, kills_outside, reported, hangs,
// recovery_p50_us, recovery_p99_us; or timeout_us, overshoot_p50_us,
// overshoot_p99_us, overshoot_max_us; kill-anywhere's KillFigures under
// their own names; and the deliveries: put, got,
// duplicated, out_of_order, wait_cpu_ms, wait_ms, idle_wait_cpu_ms, idle_wait_ms.
nlohmann::ordered_json to_json(const Result& result);

// What went wrong in a failed row, in one line: "lost 12, 3 violations" or the failures.
std::string describe_failure(const Result& result);

}  // namespace billiard::stress
