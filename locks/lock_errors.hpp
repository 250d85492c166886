// What the lock kinds throw. Misuse is the caller's error and throws
// std::system_error; a corrupt lock word is ours and aborts.
#pragma once

#include <cstdint>
#include <stdexcept>

namespace billiard {

// Thrown by RobustLock's lock(), try_lock() and timed forms AFTER they took
// the lock: the previous holder died holding it, so what it guards may be
// half-written. The catcher holds the lock, repairs, and unlocks; from then on
// the lock is consistent again.
class owner_died : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

namespace detail {
// EDEADLK: "billiard::<where>: tid N already holds the lock"
[[noreturn]] void throw_relock(const char* where, std::uint32_t tid);
// EPERM: "billiard::<where>: tid N does not hold the lock (owner tid M)"
[[noreturn]] void throw_not_owner(const char* where, std::uint32_t tid, std::uint32_t owner);
}  // namespace detail

}  // namespace billiard
