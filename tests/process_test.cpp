// Process: fork, exit codes, joins with and without a bound, signals, no zombies.
#include <catch2/catch.hpp>

#include <fcntl.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <chrono>
#include <cstdio>
#include <fstream>
#include <iostream>
#include <sstream>
#include <stdexcept>
#include <thread>
#include <vector>

#include "billiard/billiard.hpp"
#include "billiard/test/support.hpp"

using billiard::Process;
using billiard::test::CapturedFd;
using namespace std::chrono_literals;

namespace {

bool reaped(pid_t pid) { return waitpid(pid, nullptr, WNOHANG) < 0 && errno == ECHILD; }

}  // namespace

TEST_CASE("a child that returns exits 0; its arguments are copied in", "[process]") {
  billiard::RawValue<int> out;
  Process p([](billiard::RawValue<int> v, int x) { v.store(x * 2); }, out, 21);
  CHECK_FALSE(p.exitcode().has_value());
  CHECK(p.pid() == 0);
  p.start();
  CHECK(p.pid() > 0);
  p.join();
  CHECK(p.exitcode() == 0);
  CHECK_FALSE(p.is_alive());
  CHECK(out.load() == 42);
  CHECK(p.name().rfind("Process-", 0) == 0);
}

TEST_CASE("a child that throws exits 1 and prints its name and what()", "[process][errors]") {
  CapturedFd err(2);
  Process p([] { throw std::runtime_error("the disk is on fire"); });
  p.set_name("worker-7");
  p.start();
  p.join();
  const std::string text = err.text();
  CHECK(p.exitcode() == 1);
  CHECK(text == "Process worker-7:\nthe disk is on fire\n");
}

TEST_CASE("output buffered before start() prints once", "[process]") {
  CapturedFd out(1);
  std::cout << "before ";  // still in std::cout's buffer when start() forks
  std::printf("printf ");
  Process p([] { std::cout << "child "; });
  p.start();
  p.join();
  CHECK(out.text() == "before printf child ");
}

TEST_CASE("join(timeout) returns false while the child runs; signals give -N", "[process]") {
  Process sleeper([] { std::this_thread::sleep_for(60s); });
  sleeper.start();
  CHECK(sleeper.is_alive());
  const auto t0 = std::chrono::steady_clock::now();
  CHECK_FALSE(sleeper.join(100ms));
  CHECK(std::chrono::steady_clock::now() - t0 >= 100ms);
  CHECK_FALSE(sleeper.exitcode().has_value());
  sleeper.terminate();
  CHECK(sleeper.join(10s));
  CHECK(sleeper.exitcode() == -SIGTERM);

  Process victim([] { std::this_thread::sleep_for(60s); });
  victim.start();
  victim.kill();
  victim.join();
  CHECK(victim.exitcode() == -SIGKILL);
  victim.kill();  // after reaping: a no-op, never a signal to a recycled pid
}

TEST_CASE("misuse throws logic_error", "[process][errors]") {
  Process p([] {});
  CHECK_THROWS_MATCHES(p.join(), std::logic_error,
                       Catch::Message("billiard::Process::join: " + p.name() + " was never started"));
  CHECK_THROWS_AS(p.join(1s), std::logic_error);
  CHECK_THROWS_AS(p.terminate(), std::logic_error);
  p.start();
  CHECK_THROWS_MATCHES(p.start(), std::logic_error,
                       Catch::Message("billiard::Process::start: " + p.name() + " was already started"));
  CHECK_THROWS_AS(p.set_daemon(true), std::logic_error);
  p.join();
  CHECK(p.exitcode() == 0);
}

TEST_CASE("processes move into a vector; destroyed handles leave no zombie", "[process]") {
  std::vector<pid_t> pids;
  {
    std::vector<Process> kids;
    for (int i = 0; i < 4; ++i) kids.emplace_back([] { std::this_thread::sleep_for(50ms); });
    for (auto& k : kids) k.start();
    for (auto& k : kids) pids.push_back(k.pid());
    Process moved = std::move(kids[0]);
    CHECK(moved.pid() == pids[0]);
    CHECK(kids[0].pid() == 0);
  }  // each destructor joined its child
  for (pid_t pid : pids) CHECK(reaped(pid));
}

TEST_CASE("a daemon's handle terminates it when destroyed", "[process]") {
  pid_t pid;
  const auto t0 = std::chrono::steady_clock::now();
  {
    Process d([] { std::this_thread::sleep_for(60s); });
    d.set_daemon(true);
    CHECK(d.daemon());
    d.start();
    pid = d.pid();
  }
  CHECK(std::chrono::steady_clock::now() - t0 < 10s);
  CHECK(reaped(pid));
}

// Issue 10, defect 10: with SIGCHLD ignored the kernel reaps children itself,
// and join/is_alive/exitcode threw "No child processes". Run in a child so
// the disposition never touches the other tests.
TEST_CASE("with SIGCHLD ignored, join, is_alive and exitcode still work", "[process][sigchld]") {
  using billiard::test::expect;
  Process harness([] {
    expect(signal(SIGCHLD, SIG_IGN) != SIG_ERR, "SIGCHLD ignored");

    Process returns([] {});
    Process throws([] { throw std::runtime_error("on purpose"); });
    Process sleeper([] { std::this_thread::sleep_for(60s); });
    Process bypasses([] { _exit(7); });  // skips Process's own status report
    for (Process* p : {&returns, &throws, &sleeper, &bypasses}) p->start();

    returns.join();
    expect(returns.exitcode() == 0, "a returning child exits 0");
    expect(throws.join(10s), "join(timeout) sees the end through the pidfd");
    expect(throws.exitcode() == 1, "a throwing child exits 1");

    expect(sleeper.is_alive(), "a sleeping child is alive");
    expect(!sleeper.join(50ms), "join(timeout) times out while it runs");
    expect(!sleeper.exitcode().has_value(), "no exit code while it runs");
    sleeper.terminate();
    expect(sleeper.join(10s), "the terminated child ends");
    expect(!sleeper.is_alive(), "and is not alive");
    expect(sleeper.exitcode() == -SIGTERM, "its exit code is the signal this handle sent");
    sleeper.kill();  // after its end: a no-op through the closed pidfd

    bypasses.join();
    // Its status was discarded by the kernel and never reported: documented as -SIGKILL.
    expect(bypasses.exitcode() == -SIGKILL, "an unreported status reads -SIGKILL");
  });
  harness.set_name("SIGCHLD-ignoring parent");
  harness.start();
  REQUIRE(harness.join(billiard::test::kJoinBound));
  CHECK(harness.exitcode() == 0);
}

TEST_CASE("a child reaped by someone else's waitpid(-1) still joins", "[process][sigchld]") {
  Process quick([] {});
  quick.start();
  siginfo_t info{};
  REQUIRE(waitid(P_PID, static_cast<id_t>(quick.pid()), &info, WEXITED) == 0);  // another waiter takes the status
  CHECK(quick.join(10s));
  CHECK(quick.exitcode() == 0);  // the status Process's child wrote itself
}
