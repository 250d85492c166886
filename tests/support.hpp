// What the fork tests share: run a body in N real processes, every join bounded.
// Never REQUIRE in a child (Catch2 lives in the parent): a child reports a
// failure by throwing, which Process turns into exit code 1.
#pragma once

#include <catch2/catch.hpp>

#include <chrono>
#include <fstream>
#include <stdexcept>
#include <string>
#include <thread>
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

// Joins each started kid within kJoinBound (killing one that hangs) and
// requires every exit code to be 0.
inline void join_all(std::vector<Process>& kids) {
  for (auto& k : kids) {
    const bool ended = k.join(kJoinBound);
    if (!ended) k.kill();
    REQUIRE(ended);
    REQUIRE(k.exitcode() == 0);
  }
}

// The process is asleep (state S in /proc/<pid>/stat): for a waiter that has
// announced itself under a lock and gone on to wait, that means in the kernel.
inline bool asleep(pid_t pid) {
  std::ifstream stat("/proc/" + std::to_string(pid) + "/stat");
  std::string line;
  std::getline(stat, line);
  const auto close = line.rfind(')');
  return close != std::string::npos && close + 2 < line.size() && line[close + 2] == 'S';
}

// Waits (at most kJoinBound in all) until every kid is asleep, then 20 ms more.
inline void until_asleep(std::vector<Process>& kids) {
  const auto bound = std::chrono::steady_clock::now() + kJoinBound;
  for (auto& k : kids)
    while (!asleep(k.pid()) && std::chrono::steady_clock::now() < bound)
      std::this_thread::sleep_for(std::chrono::milliseconds(1));
  std::this_thread::sleep_for(std::chrono::milliseconds(20));
}

// Waits (at most kJoinBound) until value() returns at least n.
template <class Value>
void until_at_least(const Value& value, long long n) {
  const auto bound = std::chrono::steady_clock::now() + kJoinBound;
  while (static_cast<long long>(value.load()) < n && std::chrono::steady_clock::now() < bound)
    std::this_thread::sleep_for(std::chrono::milliseconds(1));
}

// Throws from a child with a message; the parent sees exit code 1.
inline void expect(bool condition, const std::string& what) {
  if (!condition) throw std::logic_error("child check failed: " + what);
}

}  // namespace billiard::test
