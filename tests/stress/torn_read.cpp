// torn-read: one writer stores a struct whose fields all hold the same
// sequence number, 1, 2, 3, ...; readers load it over and over and count the
// loads whose fields disagree. Raw, a 40-byte struct is copied plainly and
// readers catch it half written. A 16-byte struct is raw too, but RawValue
// moves it with one double-width compare-and-swap (the "atomic" row): never
// torn. Synchronized, every load holds the lock, except SeqLock's, which
// reads optimistically and retries: never torn either.
#include <algorithm>
#include <cstdint>
#include <string>
#include <vector>

#include "billiard/billiard.hpp"
#include "lock_kinds.hpp"
#include "scenarios.hpp"
#include "section.hpp"

namespace billiard::stress {
namespace {

template <std::size_t N>
struct Fields {
  std::int64_t field[N];
};
using Wide = Fields<5>;  // 40 bytes: typecode "5q"
using Pair = Fields<2>;  // 16 bytes: typecode "2q"
static_assert(sizeof(Wide) == 40 && sizeof(Pair) == 16);

template <std::size_t N>
Fields<N> stamped(std::int64_t sequence) {
  Fields<N> f;
  std::fill(std::begin(f.field), std::end(f.field), sequence);
  return f;
}

template <std::size_t N>
bool whole(const Fields<N>& f) {
  return std::all_of(std::begin(f.field), std::end(f.field), [&](std::int64_t x) { return x == f.field[0]; });
}

struct Reads {
  RawValue<long long> total{0}, torn{0};
};

template <class Shared>
void read_until_done(const Shared& shared, const RawValue<int>& written, const Reads& reads) {
  long long total = 0, torn = 0;
  for (bool last = false; !last;) {
    last = written.load() != 0;
    ++total;
    torn += !whole(shared.load());
  }
  reads.total.fetch_add(total, std::memory_order_relaxed);  // relaxed: read by the parent after join
  reads.torn.fetch_add(torn, std::memory_order_relaxed);    // relaxed: likewise
}

template <class Shared>
void measure(const Shared& shared, Result& row, const Settings& settings) {
  using T = typename Shared::value_type;
  constexpr std::size_t kFields = sizeof(T) / sizeof(std::int64_t);
  const RawValue<int> written(0);
  const Reads reads;
  std::vector<Worker> workers;
  workers.push_back({"writer", [&] {
                       for (long long s = 1; s <= row.iterations; ++s) shared.store(stamped<kFields>(s));
                       written.store(1);
                     }});
  for (int r = 1; r < row.processes; ++r)
    workers.push_back({"reader " + std::to_string(r), [&] { read_until_done(shared, written, reads); }});
  run_row(row, workers, settings);

  const T ended = storage(shared).load();
  row.expected = row.iterations;
  row.observed = whole(ended) ? ended.field[0] : 0;
  row.violations = reads.torn.load();
  row.checks = reads.total.load();
  row.operations = row.iterations;
}

}  // namespace

std::vector<Job> torn_read_jobs(const Settings& s) {
  std::vector<Job> jobs;
  jobs.push_back({header("torn-read", Variant::raw, kNoLock, "5q", s.processes, s.iterations),
                  [s](Result& row) { measure(RawValue<Wide>(), row, s); }});
  jobs.push_back({header("torn-read", Variant::atomic, kNoLock, "2q", s.processes, s.iterations),
                  [s](Result& row) { measure(RawValue<Pair>(), row, s); }});
  for_each_kind([&]<class Kind>() {
    jobs.push_back({header("torn-read", Variant::synchronized, kind_name<Kind>(), "5q", s.processes, s.iterations),
                    [s](Result& row) { measure(Value<Wide, Kind>(), row, s); }});
  });
  return jobs;
}

}  // namespace billiard::stress
