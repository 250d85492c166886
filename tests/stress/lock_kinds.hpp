// The lock kinds every synchronized variant runs with, in report order, and
// their names as the report spells them (each kind's kName).
#pragma once

#include <string>
#include <tuple>
#include <type_traits>
#include <vector>

#include "billiard/billiard.hpp"

namespace billiard::stress {

using LockKinds =
    std::tuple<FutexLock, TicketLock, SpinLock, PthreadMutex, RobustLock, RecursiveLock<FutexLock>, SeqLock>;

// The name of the raw and atomic variants' "lock": they have none.
inline constexpr const char* kNoLock = "none";

template <class Kind>
std::string kind_name() {
  return std::string(Kind::kName);
}

// Calls f.template operator()<Kind>() for every kind of LockKinds, in order.
template <class F>
void for_each_kind(F&& f) {
  [&]<class... Kind>(std::type_identity<std::tuple<Kind...>>) {
    (f.template operator()<Kind>(), ...);
  }(std::type_identity<LockKinds>{});
}

// Every kind's name, in order.
inline std::vector<std::string> kind_names() {
  std::vector<std::string> names;
  for_each_kind([&]<class Kind>() { names.push_back(kind_name<Kind>()); });
  return names;
}

}  // namespace billiard::stress
