// Process::spawn: a program as a fresh image, with the whole Process lifecycle.
#include <catch2/catch.hpp>

#include <signal.h>
#include <unistd.h>

#include <atomic>
#include <chrono>
#include <memory>
#include <stdexcept>
#include <string>
#include <thread>
#include <vector>

#include "billiard/billiard.hpp"
#include "billiard/test/support.hpp"

using billiard::Process;
using billiard::test::CapturedFd;
using billiard::test::kJoinBound;
using namespace std::chrono_literals;

TEST_CASE("a spawned program's exit status is the exitcode", "[spawn]") {
  Process p = Process::spawn({"/bin/sh", "-c", "exit 3"});
  REQUIRE_FALSE(p.exitcode());
  p.start();
  REQUIRE(p.pid() > 0);
  REQUIRE(p.join(kJoinBound));
  REQUIRE(p.exitcode() == 3);
}

TEST_CASE("a program name without a slash is looked up in PATH", "[spawn]") {
  Process p = Process::spawn({"true"});
  p.start();
  REQUIRE(p.join(kJoinBound));
  REQUIRE(p.exitcode() == 0);
}

TEST_CASE("a program that cannot be executed exits 127 with strerror's text on stderr", "[spawn]") {
  SECTION("missing") {
    CapturedFd err(2);
    Process p = Process::spawn({"./no-such-program", "x"});
    p.start();
    REQUIRE(p.join(kJoinBound));
    REQUIRE(p.exitcode() == 127);
    REQUIRE(err.text() == "billiard::Process::spawn: cannot execute ./no-such-program: No such file or directory\n");
  }
  SECTION("a directory") {
    CapturedFd err(2);
    Process p = Process::spawn({"/"});
    p.start();
    REQUIRE(p.join(kJoinBound));
    REQUIRE(p.exitcode() == 127);
    REQUIRE(err.text() == "billiard::Process::spawn: cannot execute /: Permission denied\n");
  }
  SECTION("not in PATH") {
    CapturedFd err(2);
    Process p = Process::spawn({"billiard-no-such-command"});
    p.start();
    REQUIRE(p.join(kJoinBound));
    REQUIRE(p.exitcode() == 127);
    REQUIRE(err.text() ==
            "billiard::Process::spawn: cannot execute billiard-no-such-command: No such file or directory\n");
  }
}

TEST_CASE("join with a timeout, terminate and kill work on a spawned program", "[spawn]") {
  Process p = Process::spawn({"/bin/sleep", "30"});
  p.start();
  REQUIRE(p.is_alive());
  REQUIRE_FALSE(p.join(50ms));
  REQUIRE_FALSE(p.exitcode());
  p.terminate();
  REQUIRE(p.join(kJoinBound));
  REQUIRE(p.exitcode() == -SIGTERM);

  Process q = Process::spawn({"/bin/sleep", "30"});
  q.start();
  q.kill();
  REQUIRE(q.join(kJoinBound));
  REQUIRE(q.exitcode() == -SIGKILL);
}

TEST_CASE("a spawned daemon is terminated when its handle goes; misuse throws", "[spawn]") {
  pid_t pid = 0;
  {
    Process p = Process::spawn({"/bin/sleep", "30"});
    p.set_daemon(true);
    p.start();
    pid = p.pid();
    REQUIRE_THROWS_AS(p.start(), std::logic_error);
    REQUIRE_THROWS_AS(p.set_daemon(false), std::logic_error);
  }
  REQUIRE(::kill(pid, 0) != 0);  // reaped: no zombie left with that pid
  REQUIRE_THROWS_AS(Process::spawn({}), std::invalid_argument);
  REQUIRE_THROWS_AS(Process::spawn({""}), std::invalid_argument);
  Process unstarted = Process::spawn({"true"});
  REQUIRE_THROWS_AS(unstarted.join(), std::logic_error);
}

TEST_CASE("spawning from a multithreaded parent whose threads allocate never hangs", "[spawn]") {
  std::atomic<bool> stop{false};
  std::vector<std::thread> threads;
  for (int t = 0; t < 3; ++t)
    threads.emplace_back([&] {
      // relaxed: a flag polled to end a loop; no data is published through it
      while (!stop.load(std::memory_order_relaxed)) {
        auto block = std::make_unique<std::vector<int>>(1000, 1);
        billiard::RawValue<int> v(1);  // the shared heap's lock too
      }
    });
  int ok = 0;
  for (int i = 0; i < 50; ++i) {
    Process p = Process::spawn({"true"});
    p.start();
    if (p.join(kJoinBound) && p.exitcode() == 0) ++ok;
  }
  stop = true;
  for (auto& t : threads) t.join();
  REQUIRE(ok == 50);
}
