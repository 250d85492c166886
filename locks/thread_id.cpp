#include "billiard/locks/thread_id.hpp"

#include <pthread.h>
#include <unistd.h>

#include <stdexcept>
#include <string>

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

void check_tid_cache(const char* where) {
  const auto real = static_cast<std::uint32_t>(gettid());
  if (tls_tid == 0 || tls_tid == real) return;
  throw std::logic_error(std::string("billiard::") + where + ": this thread's cached tid " + std::to_string(tls_tid) +
                         " is not its tid " + std::to_string(real) +
                         ": the process was made without fork()'s handlers (_Fork, clone); use fork() or "
                         "billiard::Process");
}

}  // namespace billiard::detail
