// The one runner every scenario uses: forks a process per worker (spread one
// per CPU or placed by the scheduler), releases them together, times them,
// and joins them within a bound. A worker that hangs is killed and reported
// by its role; the tool never hangs with it.
#pragma once

#include <chrono>
#include <functional>
#include <string>
#include <vector>

namespace billiard::stress {

struct Worker {
  std::string role;            // "incrementer 2", "reader", ...: names it in reports
  std::function<void()> body;  // runs in the child; a throw is a failure
};

struct Timing {
  double seconds = 0;                 // from the start signal to the end of the last body
  std::vector<std::string> failures;  // "reader did not finish within 60 s (killed)", ...
};

enum class Placement {
  spread,     // worker i on CPU i mod #CPUs: workers on different CPUs truly run at once
  scheduler,  // wherever the scheduler puts them
};

// Starts every worker in its own process, waits until all are ready, lets
// them go at once, and joins each by `bound` after the start.
Timing run_workers(const std::vector<Worker>& workers, std::chrono::seconds bound, Placement placement);

}  // namespace billiard::stress
