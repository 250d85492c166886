#include "report.hpp"

#include <algorithm>
#include <array>
#include <cstdio>
#include <ostream>
#include <set>
#include <string>
#include <thread>

#include "scenarios.hpp"

namespace billiard::stress {
namespace {

std::string verdict(const Result& r) {
  if (r.failed()) return "FAILED";
  if (r.variant != Variant::raw) return "exact";
  return r.exact() ? "intact" : "damaged";
}

std::string ns_per_op(const Result& r) {
  if (r.ns_per_op() == 0) return "-";
  char text[32];
  std::snprintf(text, sizeof text, r.ns_per_op() < 100 ? "%.1f" : "%.0f", r.ns_per_op());
  return text;
}

constexpr std::size_t kColumns = 10;
using Line = std::array<std::string, kColumns>;

// The consumers' CPU time over their idle waits' wall time, "-" without such waits.
std::string idle_cpu_share(const DeliveryFigures& d) {
  if (d.idle_wait_ms <= 0) return "-";
  char share[16];
  std::snprintf(share, sizeof share, "%.1f", 100 * d.idle_wait_cpu_ms / d.idle_wait_ms);
  return share;
}

}  // namespace

void print_table(std::ostream& out, const std::vector<Result>& results) {
  for (std::size_t i = 0; i < results.size(); ++i) {
    const Result& r = results[i];
    if (i > 0 && results[i - 1].scenario == r.scenario) continue;
    out << r.scenario << ": " << r.processes << " processes, " << r.iterations << ' ' << scenario_named(r.scenario).unit
        << ", typecode " << r.typecode << '\n';
  }
  out << '\n';

  std::vector<Line> lines{
      {"scenario", "variant", "lock", "expected", "observed", "lost", "violations", "checks", "ns/op", "result"}};
  for (const Result& r : results)
    lines.push_back({r.scenario, std::string(to_string(r.variant)), r.lock, std::to_string(r.expected),
                     std::to_string(r.observed), std::to_string(r.lost()), std::to_string(r.violations),
                     std::to_string(r.checks), ns_per_op(r), verdict(r)});
  std::array<std::size_t, kColumns> width{};
  for (const Line& line : lines)
    for (std::size_t c = 0; c < kColumns; ++c) width[c] = std::max(width[c], line[c].size());
  constexpr std::size_t kFirstNumber = 3, kLast = kColumns - 1;  // text left-aligned, numbers right-aligned
  for (const Line& line : lines) {
    std::string text;
    for (std::size_t c = 0; c < kColumns; ++c) {
      const std::string pad(width[c] - line[c].size(), ' ');
      if (c > 0) text += "  ";
      text += c < kFirstNumber || c == kLast ? line[c] + (c == kLast ? "" : pad) : pad + line[c];
    }
    out << text << '\n';
  }
}

void print_owner_death(std::ostream& out, const std::vector<Result>& results) {
  char line[256];
  for (const Result& r : results) {
    if (const auto& d = r.deaths) {
      std::snprintf(line, sizeof line,
                    "\n%s, %s: %lld holders killed (and %lld non-holders), %lld reported, %lld hangs, "
                    "%lld committed updates lost\n  recovery from a holder's kill to the next locker's owner_died: "
                    "p50 %.0f us, p99 %.0f us\n",
                    r.scenario.c_str(), r.lock.c_str(), d->kills, d->kills_outside, d->reported, d->hangs, r.lost(),
                    d->recovery_p50_us, d->recovery_p99_us);
      out << line;
    }
  }
  bool header = false;
  for (const Result& r : results) {
    const auto& o = r.overshoot;
    if (!o) continue;
    if (!header) {
      std::snprintf(line, sizeof line,
                    "\nowner-death, other kinds: try_lock_for(%.0f us) behind a dead holder, past its deadline by\n",
                    o->timeout_us);
      out << line;
      header = true;
    }
    std::snprintf(line, sizeof line, "  %-26s %lld waits, false every time: %-3s p50 %.0f us, p99 %.0f us, max %.0f us\n",
                  r.lock.c_str(), r.observed, r.exact() ? "yes" : "NO", o->p50_us, o->p99_us, o->max_us);
    out << line;
  }
}

void print_kill_anywhere(std::ostream& out, const std::vector<Result>& results) {
  char line[512];
  bool header = false;
  for (const Result& r : results) {
    const auto& k = r.kill_anywhere;
    if (!k) continue;
    if (!header) {
      out << "\nkill-anywhere: workers SIGKILLed at random moments and restarted, per kind\n";
      header = true;
    }
    std::snprintf(line, sizeof line,
                  "  %-24s %lld kills (%lld holders, %lld waiters, %lld readers, %lld between turns), %lld hangs, "
                  "%lld double holders, %lld lost, longest stall %.1f ms\n",
                  r.lock.c_str(), k->kills, k->holder_kills, k->waiter_kills, k->reader_kills, k->other_kills,
                  k->hangs, k->double_holders, r.lost(), k->longest_stall_ms);
    out << line;
    if (k->reports_owner_death) {
      std::snprintf(line, sizeof line, "  %-24s holder died: next locker told (owner_died caught %lld times)\n", "",
                    k->reported);
    } else {
      std::snprintf(line, sizeof line,
                    "  %-24s holder died: lock stays taken (by design), %lld times; %lld fresh rounds\n", "",
                    k->holder_deaths_by_design, k->rounds);
    }
    out << line;
    for (const std::string& failure : r.failures) out << "  " << std::string(24, ' ') << ' ' << failure << '\n';
  }
}

void print_deliveries(std::ostream& out, const std::vector<Result>& results) {
  char line[256];
  bool header = false;
  for (const Result& r : results) {
    const auto& d = r.delivery;
    if (!d) continue;
    if (!header) {
      std::snprintf(line, sizeof line, "\n%-26s %-26s %9s %9s %6s %6s %6s %10s %12s %11s %8s\n", "producers/consumers",
                    "lock", "put", "got", "lost", "dup", "order", "waited ms", "wait CPU ms", "idle CPU %", "wall s");
      out << line;
      header = true;
    }
    std::snprintf(line, sizeof line, "%-26s %-26s %9lld %9lld %6lld %6lld %6lld %10.1f %12.1f %11s %8.2f\n",
                  r.scenario.c_str(), r.lock.c_str(), d->put, d->got, r.lost(), d->duplicated, d->out_of_order,
                  d->wait_ms, d->wait_cpu_ms, idle_cpu_share(*d).c_str(), r.seconds);
    out << line;
  }
}

void print_summary(std::ostream& out, const std::vector<Result>& results, double seconds) {
  std::set<std::string> raw, damaged;
  int must_be_exact = 0, exact = 0;
  for (const Result& r : results) {
    if (r.variant == Variant::raw) {
      raw.insert(r.scenario);
      if (!r.exact()) damaged.insert(r.scenario);
    } else {
      ++must_be_exact;
      exact += r.exact();
    }
  }
  char took[32];
  std::snprintf(took, sizeof took, "%.1f s", seconds);
  out << "\nraw: damaged in " << damaged.size() << " of " << raw.size() << " scenarios (the finding, not a failure)\n"
      << "synchronized and atomic: " << exact << " of " << must_be_exact << " exact\n"
      << results.size() << " runs in " << took << '\n';
}

nlohmann::ordered_json report_json(const std::vector<Result>& results, std::uint64_t seed) {
  nlohmann::ordered_json rows = nlohmann::ordered_json::array();
  for (const Result& r : results) rows.push_back(to_json(r));
  return {{"results", rows}, {"seed", seed}, {"cpus", std::thread::hardware_concurrency()}};
}

}  // namespace billiard::stress
