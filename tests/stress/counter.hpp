// counter: the seed's worker_with_shared_value. Each process reads the
// counter, pauses (the seed sleeps), and writes back what it read plus one.
// Raw, every increment that another process overlapped is lost; under any
// lock, none is. The scenario: counter.cpp; by spawned programs: attach.cpp.
#pragma once

#include "pause.hpp"
#include "result.hpp"
#include "section.hpp"

namespace billiard::stress {

template <class Counter>
void read_pause_write(const Counter& counter, long long iterations) {
  using T = typename Counter::value_type;
  const auto raw = storage(counter);
  for (long long i = 0; i < iterations; ++i) {
    const auto section = hold(counter);
    // relaxed: under a lock, the lock orders these; without one, no order would save the update
    const T old = raw.load(std::memory_order_relaxed);
    pause();  // the seed sleeps here, between its read and its write
    raw.store(static_cast<T>(old + 1), std::memory_order_relaxed);
  }
}

// Fills in row from the counter a run of row.processes x row.iterations left.
template <class Counter>
void tally(Result& row, const Counter& counter) {
  row.expected = row.processes * row.iterations;
  row.observed = static_cast<long long>(storage(counter).load());
  row.operations = row.expected;
}

}  // namespace billiard::stress
