#include "billiard/semaphore.hpp"

namespace billiard::detail {

std::uint32_t checked_permits(long long n, long long least, const char* what, const char* name) {
  if (n < least || n > static_cast<long long>(SemaphoreState::kMaxPermits))
    throw std::invalid_argument(std::string("billiard::") + what + ": " + name + " " + std::to_string(n) +
                                " is outside " + std::to_string(least) + " .. " +
                                std::to_string(SemaphoreState::kMaxPermits));
  return static_cast<std::uint32_t>(n);
}

}  // namespace billiard::detail
