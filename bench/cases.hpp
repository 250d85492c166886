// The benchmark cases, registered by lock_bench.cpp's main() in this order
// (Google Benchmark runs them in registration order).
#pragma once

namespace billiard::bench {

// uncontended/<strategy>, counter/<strategy>/procs:N, cs_sweep/<lock>/procs:N/work_ns:W
void register_counter_cases();
// handoff/<lock>/hold_ns:H, fairness/<lock>/procs:N
void register_handoff_cases();
// seqlock_reads/<lock>, alloc/RawValue<T>/...
void register_value_cases();
// uncontended/two_rmw_floor, waits/<lock>/procs:N
void register_wait_cases();
// wakeup/<primitive>: RawValue, Condition, Event, Semaphore, pthread_cond_t, sem_t
void register_wake_cases();
// segment/find_or_create/name:existing|new, segment/open, segment/futex_lock/memory:anonymous|segment
void register_segment_cases();

}  // namespace billiard::bench
