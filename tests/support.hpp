// What the fork tests share: run a body in N real processes, every join bounded.
// Never REQUIRE in a child (Catch2 lives in the parent): a child reports a
// failure by throwing, which Process turns into exit code 1.
#pragma once

#include <catch2/catch.hpp>

#include <unistd.h>

#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <iostream>
#include <sstream>
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

// Points fd 1 or 2 at a temporary file while alive; text() reads what was written.
class CapturedFd {
 public:
  explicit CapturedFd(int fd) : fd_(fd), saved_(dup(fd)) {
    std::fflush(nullptr);
    std::cout.flush();
    char path[] = "/tmp/billiard-capture-XXXXXX";
    const int file = mkstemp(path);
    path_ = path;
    dup2(file, fd_);
    close(file);
  }
  ~CapturedFd() {
    restore();
    unlink(path_.c_str());
  }
  std::string text() {
    restore();
    std::ifstream in(path_);
    std::stringstream s;
    s << in.rdbuf();
    return s.str();
  }

 private:
  void restore() {
    if (saved_ < 0) return;
    std::fflush(nullptr);
    std::cout.flush();
    dup2(saved_, fd_);
    close(saved_);
    saved_ = -1;
  }
  int fd_, saved_;
  std::string path_;
};

// A segment name of this test run: concurrent runs (other pids) never collide,
// and tests/catch_main.cpp's leftover check names what a run left behind.
inline std::string segment_name(const std::string& what) {
  return "test." + std::to_string(getpid()) + "." + what;
}

// Throws from a child with a message; the parent sees exit code 1.
inline void expect(bool condition, const std::string& what) {
  if (!condition) throw std::logic_error("child check failed: " + what);
}

}  // namespace billiard::test
