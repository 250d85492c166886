// What the fork tests share: run a body in N real processes, every join bounded.
// Never REQUIRE in a child (Catch2 lives in the parent): a child reports a
// failure by throwing, which Process turns into exit code 1.
#pragma once

#include <catch2/catch.hpp>

#include <chrono>
#include <stdexcept>
#include <string>
#include <vector>

#include "billiard/process.hpp"

namespace billiard::test {

inline constexpr auto kJoinBound = std::chrono::seconds(60);  // a hang fails the test, never stalls CI

// Starts n processes running body(index), joins each within kJoinBound and
// requires every exit code to be 0.
template <class F>
void run_processes(int n, F body) {
  std::vector<Process> kids;
  for (int i = 0; i < n; ++i) kids.emplace_back(body, i);
  for (auto& k : kids) k.start();
  for (auto& k : kids) {
    const bool ended = k.join(kJoinBound);
    if (!ended) k.kill();
    REQUIRE(ended);
    REQUIRE(k.exitcode() == 0);
  }
}

// Throws from a child with a message; the parent sees exit code 1.
inline void expect(bool condition, const std::string& what) {
  if (!condition) throw std::logic_error("child check failed: " + what);
}

}  // namespace billiard::test
