// The report: a table for people, JSON for the plot and for other tools.
#pragma once

#include <cstdint>
#include <iosfwd>
#include <nlohmann/json.hpp>
#include <vector>

#include "result.hpp"

namespace billiard::stress {

// One line per scenario with its sizes, then one row per result.
void print_table(std::ostream& out, const std::vector<Result>& results);

// What the table means in three lines: how many raw scenarios were damaged,
// how many synchronized and atomic rows were exact, how long it all took.
// owner-death's own figures (kills, reports, recovery; overshoot), when it ran.
void print_owner_death(std::ostream& out, const std::vector<Result>& results);

// queue's figures: items put, got, lost, duplicated, out of order, and the
// consumers' waiting (wall and CPU), when it ran.
void print_delivery(std::ostream& out, const std::vector<Result>& results);

void print_summary(std::ostream& out, const std::vector<Result>& results, double seconds);

// {"results": [...], "seed": ..., "cpus": ...}
nlohmann::ordered_json report_json(const std::vector<Result>& results, std::uint64_t seed);

}  // namespace billiard::stress
