#include "result.hpp"

namespace billiard::stress {

std::string_view to_string(Variant variant) {
  switch (variant) {
    case Variant::raw:
      return "raw";
    case Variant::atomic:
      return "atomic";
    case Variant::synchronized:
      return "synchronized";
  }
  return "?";
}

double Result::ns_per_op() const noexcept {
  return operations > 0 && failures.empty() ? seconds * 1e9 / static_cast<double>(operations) : 0.0;
}

nlohmann::ordered_json to_json(const Result& r) {
  nlohmann::ordered_json row = {
      {"scenario", r.scenario},
      {"variant", to_string(r.variant)},
      {"lock", r.lock},
      {"typecode", r.typecode},
      {"processes", r.processes},
      {"iterations", r.iterations},
      {"expected", r.expected},
      {"observed", r.observed},
      {"lost", r.lost()},
      {"violations", r.violations},
      {"seconds", r.seconds},
      {"checks", r.checks},
      {"operations", r.operations},
      {"ns_per_op", r.ns_per_op()},
      {"failures", r.failures},
  };
  if (const auto& d = r.deaths) {
    row["kills"] = d->kills;
    row["kills_outside"] = d->kills_outside;
    row["reported"] = d->reported;
    row["hangs"] = d->hangs;
    row["recovery_p50_us"] = d->recovery_p50_us;
    row["recovery_p99_us"] = d->recovery_p99_us;
  }
  if (const auto& o = r.overshoot) {
    row["timeout_us"] = o->timeout_us;
    row["overshoot_p50_us"] = o->p50_us;
    row["overshoot_p99_us"] = o->p99_us;
    row["overshoot_max_us"] = o->max_us;
  }
  if (const auto& k = r.kill_anywhere) {
    row["kills"] = k->kills;
    row["holder_kills"] = k->holder_kills;
    row["waiter_kills"] = k->waiter_kills;
    row["reader_kills"] = k->reader_kills;
    row["other_kills"] = k->other_kills;
    row["skipped"] = k->skipped;
    row["reports_owner_death"] = k->reports_owner_death;
    row["holder_deaths_by_design"] = k->holder_deaths_by_design;
    row["reported"] = k->reported;
    row["hangs"] = k->hangs;
    row["double_holders"] = k->double_holders;
    row["rounds"] = k->rounds;
    row["longest_stall_ms"] = k->longest_stall_ms;
  }
  if (const auto& d = r.delivery) {
    row["put"] = d->put;
    row["got"] = d->got;
    row["duplicated"] = d->duplicated;
    row["out_of_order"] = d->out_of_order;
    row["wait_cpu_ms"] = d->wait_cpu_ms;
    row["wait_ms"] = d->wait_ms;
    row["idle_wait_cpu_ms"] = d->idle_wait_cpu_ms;
    row["idle_wait_ms"] = d->idle_wait_ms;
  }
  return row;
}

std::string describe_failure(const Result& r) {
  std::string what;
  const auto add = [&](const std::string& part) { what += (what.empty() ? "" : "; ") + part; };
  if (r.lost() != 0) add("lost " + std::to_string(r.lost()) + " of " + std::to_string(r.expected));
  if (r.violations != 0) add(std::to_string(r.violations) + " violations");
  for (const std::string& failure : r.failures) add(failure);
  return what;
}

}  // namespace billiard::stress
