#include "billiard/locks/lock_errors.hpp"

#include "billiard/locks/thread_id.hpp"

#include <cerrno>
#include <string>
#include <system_error>

namespace billiard::detail {

void throw_relock(const char* where, std::uint32_t tid) {
  check_tid_cache(where);  // a stale cache, not a relock
  throw std::system_error(EDEADLK, std::generic_category(),
                          std::string("billiard::") + where + ": tid " + std::to_string(tid) +
                              " already holds the lock");
}

void throw_not_owner(const char* where, std::uint32_t tid, std::uint32_t owner) {
  check_tid_cache(where);  // a stale cache, not a stranger
  throw std::system_error(EPERM, std::generic_category(),
                          std::string("billiard::") + where + ": tid " + std::to_string(tid) +
                              " does not hold the lock (owner tid " + std::to_string(owner) + ")");
}

}  // namespace billiard::detail
