// The seed's scenarios, each planned as a raw variant (and an atomic one
// where one exists) beside a synchronized variant for every lock kind.
// Each counts its --iters in its own unit (Scenario::unit): increments,
// rounds, passes, items, updates or stores.
#pragma once

#include <string_view>
#include <vector>

#include "job.hpp"

namespace billiard::stress {

struct Scenario {
  std::string_view name;
  std::string_view shows;  // one line for --list
  std::string_view unit;   // what --iters counts
  bool typed;              // counts in --typecode
  int default_processes;   // sizes for a run of a few seconds on 2 cores
  long long default_iterations;
  std::vector<Job> (*jobs)(const Settings&);
};

// Every scenario, in report order.
const std::vector<Scenario>& scenarios();

// The scenario called name; std::out_of_range when none is.
const Scenario& scenario_named(std::string_view name);

std::vector<Job> counter_jobs(const Settings& settings);
std::vector<Job> race_jobs(const Settings& settings);
std::vector<Job> array_jobs(const Settings& settings);
std::vector<Job> matrix_jobs(const Settings& settings);
std::vector<Job> circular_buffer_jobs(const Settings& settings);
std::vector<Job> circular_buffer_blocking_jobs(const Settings& settings);
std::vector<Job> stats_jobs(const Settings& settings);
std::vector<Job> stats_condition_jobs(const Settings& settings);
std::vector<Job> torn_read_jobs(const Settings& settings);
std::vector<Job> owner_death_jobs(const Settings& settings);
std::vector<Job> kill_anywhere_jobs(const Settings& settings);
std::vector<Job> queue_jobs(const Settings& settings);
std::vector<Job> attach_jobs(const Settings& settings);

}  // namespace billiard::stress
