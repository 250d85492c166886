// array: the seed's array_worker and array_reader. Each writer owns a part of
// one array and rewrites it whole, round after round (every element of the
// part holds the round number); a reader takes snapshots and checks that each
// part is whole, all its elements from one round. Raw, the reader catches
// parts half rewritten; synchronized (the writer holds the lock for its whole
// part, as the seed does), never. Disjoint parts lose no writes either way:
// even raw, the final array is exact.
#include <algorithm>
#include <numeric>
#include <string>
#include <vector>

#include "billiard/billiard.hpp"
#include "lock_kinds.hpp"
#include "scenarios.hpp"
#include "section.hpp"

namespace billiard::stress {
namespace {

constexpr std::size_t kPart = 64;  // elements per writer: long enough to be caught half written

template <class Elements>
void rewrite_part(const Elements& array, std::size_t part, long long rounds) {
  const auto raw = storage(array);
  for (long long round = 1; round <= rounds; ++round) {
    const auto section = hold(array);
    // relaxed: under a lock, the lock orders these; without one, the reader checks values, not order
    for (std::size_t i = part * kPart; i < (part + 1) * kPart; ++i)
      raw[i].store(static_cast<int>(round), std::memory_order_relaxed);
  }
}

// Snapshots until every writer is done (one more after that), counting those with a torn part.
template <class Elements>
void check_parts(const Elements& array, int parts, const RawValue<int>& writers_done,
                 const RawValue<long long>& snapshots, const RawValue<long long>& torn) {
  long long taken = 0, bad = 0;
  for (bool last = false; !last;) {
    last = writers_done.load() == parts;
    const std::vector<int> snapshot = array.to_vector();  // raw: element by element; synchronized: under the lock
    ++taken;
    bool whole = true;
    for (auto part = snapshot.begin(); part != snapshot.end(); part += kPart)
      whole = whole && std::all_of(part, part + kPart, [&](int x) { return x == *part; });
    bad += !whole;
  }
  snapshots.store(taken);
  torn.store(bad);
}

template <class Elements>
void measure(const Elements& array, Result& row, const Settings& settings) {
  const int writers = row.processes - 1;
  const RawValue<int> writers_done(0);
  const RawValue<long long> snapshots(0), torn(0);
  std::vector<Worker> workers;
  for (int w = 0; w < writers; ++w)
    workers.push_back({"writer " + std::to_string(w + 1), [&, w] {
                         rewrite_part(array, static_cast<std::size_t>(w), row.iterations);
                         writers_done.fetch_add(1);
                       }});
  workers.push_back({"reader", [&] { check_parts(array, writers, writers_done, snapshots, torn); }});
  run_row(row, workers, settings);

  const std::vector<int> ended = storage(array).to_vector();
  row.expected = writers * static_cast<long long>(kPart) * row.iterations;  // each element ends at the last round
  row.observed = std::accumulate(ended.begin(), ended.end(), 0LL);
  row.violations = torn.load();
  row.checks = snapshots.load();
  row.operations = writers * row.iterations;
}

std::size_t elements(const Settings& s) { return static_cast<std::size_t>(s.processes - 1) * kPart; }

}  // namespace

std::vector<Job> array_jobs(const Settings& s) {
  std::vector<Job> jobs;
  jobs.push_back({header("array", Variant::raw, kNoLock, "i", s.processes, s.iterations),
                  [s](Result& row) { measure(RawArray<int>(elements(s)), row, s); }});
  for_each_kind([&]<class Kind>() {
    jobs.push_back({header("array", Variant::synchronized, kind_name<Kind>(), "i", s.processes, s.iterations),
                    [s](Result& row) { measure(Array<int, Kind>(elements(s)), row, s); }});
  });
  return jobs;
}

}  // namespace billiard::stress
