#include "scenarios.hpp"

#include <stdexcept>
#include <string>

namespace billiard::stress {

const std::vector<Scenario>& scenarios() {
  static const std::vector<Scenario> all{
      {"counter", "read, pause, write one more: raw loses every overlapped increment", "increments per process", true,
       4, 50'000, counter_jobs},
      {"race", "load + store vs fetch_add vs locked increments of one value", "increments per process", true, 2,
       5'000'000, race_jobs},
      {"array", "writers rewrite their own parts while a reader checks each part is whole",
       "rounds per writer (one reader besides)", false, 4, 100'000, array_jobs},
      {"matrix", "one process per row fills a flattened 2-D array and tallies its columns", "passes per row", false, 3,
       200'000, matrix_jobs},
      {"circular-buffer", "a producer and consumers share a 5-slot ring: each item delivered exactly once",
       "items (one producer, the rest consumers)", false, 3, 300'000, circular_buffer_jobs},
      {"circular-buffer-blocking", "the same ring, producer and consumers asleep on a Condition while full/empty",
       "items (one producer, the rest consumers)", false, 3, 300'000, circular_buffer_blocking_jobs},
      {"stats", "generators update count/sum/min/max while a reporter checks snapshots",
       "updates per generator (one reporter besides)", false, 4, 500'000, stats_jobs},
      {"stats-condition", "the same stats; the reporter sleeps on a Condition until generators publish updates",
       "updates per generator (one reporter besides)", false, 4, 500'000, stats_condition_jobs},
      {"torn-read", "a writer stores a struct whose fields must agree; readers count torn reads",
       "stores (one writer, the rest readers)", false, 3, 1'000'000, torn_read_jobs},
      {"owner-death", "holders of a RobustLock and of a SeqLock SIGKILLed (--kills); other kinds: timed waits behind a dead holder",
       "timed waits per other kind (RobustLock, SeqLock: --kills holders killed)", false, 4, 50, owner_death_jobs},
      {"kill-anywhere", "every kind: workers SIGKILLed anywhere (holders, waiters, readers) and restarted",
       "kills per kind (--kills; --iters is not used)", false, 4, 1000, kill_anywhere_jobs},
      {"queue", "the circular buffer on Queue<T>: producers and consumers sleep while full / empty, nothing lost",
       "items per producer (2 consumers; 1 below 4 processes)", false, 5, 200'000, queue_jobs},
      {"attach", "counter (l) and stats (d) by spawned programs sharing a named segment; a holder SIGKILLed",
       "increments or updates per process (kill row: holders killed, at most 200)", false, 4, 20'000, attach_jobs},
  };
  return all;
}

const Scenario& scenario_named(std::string_view name) {
  for (const Scenario& s : scenarios())
    if (s.name == name) return s;
  throw std::out_of_range("billiard stress: no scenario '" + std::string(name) + "'");
}

}  // namespace billiard::stress
