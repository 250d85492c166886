// matrix: the seed's matrix_worker. One process per row fills its row of a
// flattened rows x 4 array (cell = row * cols + col + 1, as in the seed), pass
// after pass, pausing after each cell as the seed does, and counts each cell
// it fills into its column's tally, in one more row that every process
// shares. The rows are disjoint, so even raw they come out right; the tally
// row is shared, and raw, two processes that read a tally at once write back
// the same count: one is lost.
#include <numeric>
#include <string>
#include <vector>

#include "billiard/billiard.hpp"
#include "lock_kinds.hpp"
#include "pause.hpp"
#include "scenarios.hpp"
#include "section.hpp"

namespace billiard::stress {
namespace {

constexpr std::size_t kCols = 4;  // the seed's 3 x 4 matrix

long cell_value(std::size_t row, std::size_t col) { return static_cast<long>(row * kCols + col + 1); }

template <class Matrix>
void fill_row(const Matrix& matrix, std::size_t row, std::size_t rows, long long passes) {
  const auto raw = storage(matrix);
  const std::size_t tallies = rows * kCols;  // the extra row
  for (long long pass = 0; pass < passes; ++pass) {
    for (std::size_t col = 0; col < kCols; ++col) {
      {
        const auto section = hold(matrix);
        // relaxed: under a lock, the lock orders these; without one, no order would save the tally
        raw[row * kCols + col].store(cell_value(row, col), std::memory_order_relaxed);
        const auto tally = raw[tallies + col];
        tally.store(tally.load(std::memory_order_relaxed) + 1, std::memory_order_relaxed);
      }
      pause();  // the seed sleeps after each cell
    }
  }
}

template <class Matrix>
void measure(const Matrix& matrix, Result& row, const Settings& settings) {
  const auto rows = static_cast<std::size_t>(row.processes);
  std::vector<Worker> workers;
  for (std::size_t r = 0; r < rows; ++r)
    workers.push_back({"row " + std::to_string(r), [&, r] { fill_row(matrix, r, rows, row.iterations); }});
  run_row(row, workers, settings);

  const std::vector<long> ended = storage(matrix).to_vector();
  for (std::size_t r = 0; r < rows; ++r)
    for (std::size_t col = 0; col < kCols; ++col)
      if (ended[r * kCols + col] != cell_value(r, col)) ++row.violations;
  row.expected = row.processes * static_cast<long long>(kCols) * row.iterations;  // every cell filled, tallied
  row.observed = std::accumulate(ended.begin() + static_cast<std::ptrdiff_t>(rows * kCols), ended.end(), 0LL);
  row.checks = static_cast<long long>(rows * kCols);
  row.operations = row.expected;
}

std::size_t elements(const Settings& s) { return (static_cast<std::size_t>(s.processes) + 1) * kCols; }

}  // namespace

std::vector<Job> matrix_jobs(const Settings& s) {
  std::vector<Job> jobs;
  jobs.push_back({header("matrix", Variant::raw, kNoLock, "l", s.processes, s.iterations),
                  [s](Result& row) { measure(RawArray<long>(elements(s)), row, s); }});
  for_each_kind([&]<class Kind>() {
    jobs.push_back({header("matrix", Variant::synchronized, kind_name<Kind>(), "l", s.processes, s.iterations),
                    [s](Result& row) { measure(Array<long, Kind>(elements(s)), row, s); }});
  });
  return jobs;
}

}  // namespace billiard::stress
