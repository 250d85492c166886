// stats: the seed's SharedStats (the scenario: stats.cpp; by spawned programs: attach.cpp). Generators fold random values into one
// shared {count, sum, min, max}; a reporter takes snapshots and checks each
// is consistent. The values are 1 + 1024 r for a random integer r in
// [-100, 100], so in every consistent snapshot sum - count is a multiple of
// 1024 (all exact in a double), min <= sum / count <= max and min <= max.
// Raw, an update read and written back by two generators at once loses one,
// and a snapshot copied during an update mixes two states. At the end count,
// sum, min and max must equal what the generators generated.
#pragma once

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <limits>
#include <random>
#include <utility>

#include "billiard/billiard.hpp"
#include "result.hpp"
#include "section.hpp"

namespace billiard::stress {

struct Stats {
  long long count;
  double sum, min, max;
};
constexpr Stats kNoValues{0, 0.0, std::numeric_limits<double>::infinity(), -std::numeric_limits<double>::infinity()};

constexpr long long kStep = 1024;  // values are 1 + kStep * r
constexpr int kSpread = 100;       // r in [-kSpread, kSpread], as the seed's uniform(-100, 100)

inline bool consistent(const Stats& s) {
  if (s.count == 0) return s.sum == 0 && s.min == kNoValues.min && s.max == kNoValues.max;
  if (s.count < 0 || !(s.min <= s.max)) return false;
  const double mean = s.sum / static_cast<double>(s.count);
  return std::fmod(s.sum - static_cast<double>(s.count), static_cast<double>(kStep)) == 0 && s.min <= mean &&
         mean <= s.max;
}

// What each generator generated: it keeps sum, min and max in its own memory
// and reports them here when it ends, for the final check.
struct Generated {
  RawArray<long long> sum, min, max;  // per generator
  explicit Generated(std::size_t generators) : sum(generators), min(generators), max(generators) {}
  Generated(RawArray<long long> s, RawArray<long long> lo, RawArray<long long> hi)  // a segment's (attach)
      : sum(std::move(s)), min(std::move(lo)), max(std::move(hi)) {}
};

// after_update(count) runs with the lock held, after each update.
template <class Shared, class AfterUpdate>
void generate(const Shared& stats, std::uint64_t seed, long long updates, const Generated& generated, std::size_t g,
              AfterUpdate after_update) {
  std::mt19937_64 random(seed);
  std::uniform_int_distribution<long long> spread(-kSpread, kSpread);
  long long sum = 0, min = std::numeric_limits<long long>::max(), max = std::numeric_limits<long long>::min();
  const auto raw = storage(stats);
  for (long long i = 0; i < updates; ++i) {
    const long long value = 1 + kStep * spread(random);
    sum += value;
    min = std::min(min, value);
    max = std::max(max, value);
    const auto section = hold(stats);
    Stats s = raw.load();  // a 32-byte RawValue: a plain copy, as ctypes raw memory
    s.count += 1;
    s.sum += static_cast<double>(value);
    s.min = std::min(s.min, static_cast<double>(value));
    s.max = std::max(s.max, static_cast<double>(value));
    raw.store(s);
    after_update(s.count);
  }
  generated.sum.store(g, sum);
  generated.min.store(g, min);
  generated.max.store(g, max);
}
template <class Shared>
void generate(const Shared& stats, std::uint64_t seed, long long updates, const Generated& generated, std::size_t g) {
  generate(stats, seed, updates, generated, g, [](long long) {});
}

// Snapshots until every generator is done (one more after that), counting inconsistent ones.
template <class Shared>
void report(const Shared& stats, int generators, const RawValue<int>& done, const RawValue<long long>& snapshots,
            const RawValue<long long>& inconsistent) {
  long long taken = 0, bad = 0;
  for (bool last = false; !last;) {
    last = done.load() == generators;
    const Stats s = stats.load();  // raw: a plain copy; synchronized: under the lock (SeqLock: optimistic)
    ++taken;
    bad += !consistent(s);
  }
  snapshots.store(taken);
  inconsistent.store(bad);
}

// Fills in row from what the run left: stats at the end, what each generator
// generated, and the reporter's snapshots.
template <class Shared>
void tally(Result& row, const Shared& stats, int generators, const Generated& generated,
           const RawValue<long long>& snapshots, const RawValue<long long>& inconsistent) {
  const Stats ended = storage(stats).load();
  const auto sums = generated.sum.to_vector(), mins = generated.min.to_vector(), maxes = generated.max.to_vector();
  long long sum = 0;
  for (const long long s : sums) sum += s;
  row.expected = generators * row.iterations;
  row.observed = ended.count;
  row.violations = inconsistent.load() + (ended.sum != static_cast<double>(sum)) +
                   (ended.min != static_cast<double>(*std::min_element(mins.begin(), mins.end()))) +
                   (ended.max != static_cast<double>(*std::max_element(maxes.begin(), maxes.end())));
  row.checks = snapshots.load() + 3;  // and sum, min and max at the end
  row.operations = row.expected;
}

}  // namespace billiard::stress
