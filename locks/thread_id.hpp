// The calling thread's kernel thread id (gettid), cached per thread.
// Lock words hold it as the owner. A fork'd child's cache is reset by a
// pthread_atfork child handler, so a child never takes its parent's tid for
// its own and never believes it holds a lock its parent held.
#pragma once

#include <cstdint>

namespace billiard {
namespace detail {
extern thread_local constinit std::uint32_t tls_tid;  // 0: not read yet
std::uint32_t load_tid() noexcept;                     // fills tls_tid
}  // namespace detail

inline std::uint32_t current_tid() noexcept {
  const std::uint32_t tid = detail::tls_tid;
  return tid != 0 ? tid : detail::load_tid();
}

}  // namespace billiard
