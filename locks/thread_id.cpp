#include "billiard/locks/thread_id.hpp"

#include <pthread.h>
#include <unistd.h>

namespace billiard::detail {

thread_local constinit std::uint32_t tls_tid = 0;

namespace {
// Runs in the child, in the thread that called fork: its only thread.
const int kResetInChild = pthread_atfork(nullptr, nullptr, [] { tls_tid = 0; });
}  // namespace

std::uint32_t load_tid() noexcept {
  (void)kResetInChild;
  tls_tid = static_cast<std::uint32_t>(gettid());
  return tls_tid;
}

}  // namespace billiard::detail
