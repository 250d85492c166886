// The calling thread's kernel thread id (gettid), cached per thread.
// Lock words hold it as the owner. A fork'd child's cache is reset by a
// pthread_atfork child handler, so a child never takes its parent's tid for
// its own and never believes it holds a lock its parent held.
// A child made without fork()'s handlers (_Fork, a raw clone) keeps its
// parent's cached tid. check_tid_cache() finds that with one gettid(): the
// misuse errors call it first (a stale cache makes a child look like its
// parent: "already holds", "does not hold"), so such a child gets a clear
// std::logic_error instead. The fast paths do not pay for the check.
// Thread ids are per PID namespace: processes sharing billiard objects must
// live in one (docs/reliability.md); that is not checked.
#pragma once

#include <cstdint>

namespace billiard {
namespace detail {
extern thread_local constinit std::uint32_t tls_tid;  // 0: not read yet
std::uint32_t load_tid() noexcept;                     // fills tls_tid
// std::logic_error naming `where` when the cache holds another thread's tid.
void check_tid_cache(const char* where);
}  // namespace detail

inline std::uint32_t current_tid() noexcept {
  const std::uint32_t tid = detail::tls_tid;
  return tid != 0 ? tid : detail::load_tid();
}

}  // namespace billiard
