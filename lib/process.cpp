#include "billiard/process.hpp"

#include <poll.h>
#include <signal.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include <atomic>
#include <cerrno>
#include <cstdio>
#include <exception>
#include <iostream>
#include <stdexcept>
#include <system_error>
#include <thread>
#include <algorithm>

namespace billiard {
namespace {

constexpr auto kTerminateGrace = std::chrono::seconds(5);  // daemon: SIGTERM, then SIGKILL

[[noreturn]] void throw_errno(const std::string& what) {
  throw std::system_error(errno, std::generic_category(), "billiard::Process::" + what);
}

int open_pidfd(pid_t pid) noexcept { return static_cast<int>(syscall(SYS_pidfd_open, pid, 0)); }

}  // namespace

std::string Process::next_name() {
  static std::atomic<unsigned> counter{0};
  // relaxed: names only need to be distinct, not ordered with anything
  return "Process-" + std::to_string(counter.fetch_add(1, std::memory_order_relaxed) + 1);
}

Process::Process(Process&& other) noexcept
    : target_(std::move(other.target_)),
      argv_(std::move(other.argv_)),
      name_(std::move(other.name_)),
      pid_(std::exchange(other.pid_, 0)),
      pidfd_(std::exchange(other.pidfd_, -1)),
      daemon_(other.daemon_),
      exitcode_(std::exchange(other.exitcode_, std::nullopt)) {}

Process& Process::operator=(Process&& other) noexcept {
  if (this != &other) {
    this->~Process();
    new (this) Process(std::move(other));
  }
  return *this;
}

Process::~Process() {
  if (pid_ != 0 && !exitcode_) {
    try {
      if (daemon_) {
        terminate();
        if (!join(kTerminateGrace)) kill();
      }
      join();
    } catch (...) {
      // A destructor must not throw; reap() fails only on a pid that is not our child.
    }
  }
  close_pidfd();
}

void Process::start() {
  if (pid_ != 0) throw std::logic_error("billiard::Process::start: " + name_ + " was already started");
  std::cout.flush();
  std::cerr.flush();
  std::fflush(nullptr);
  const pid_t pid = argv_.empty() ? fork() : start_program();
  if (pid < 0) throw_errno("start: fork");
  if (pid == 0) run_child();
  pid_ = pid;
  pidfd_ = open_pidfd(pid);  // -1 on kernels before 5.3: join(timeout) then polls
}

void Process::run_child() noexcept {
  int status = 0;
  try {
    target_();
  } catch (const std::exception& e) {
    std::fprintf(stderr, "Process %s:\n%s\n", name_.c_str(), e.what());
    status = 1;
  } catch (...) {
    std::fprintf(stderr, "Process %s:\nunknown exception\n", name_.c_str());
    status = 1;
  }
  std::cout.flush();
  std::cerr.flush();
  std::fflush(nullptr);
  _exit(status);  // no atexit handlers, no static destructors: those are the parent's
}

bool Process::reap(bool block) {
  if (exitcode_) return true;
  int status = 0;
  pid_t r;
  do r = waitpid(pid_, &status, block ? 0 : WNOHANG);
  while (r < 0 && errno == EINTR);
  if (r < 0) throw_errno("join: waitpid(" + std::to_string(pid_) + ")");
  if (r == 0) return false;
  exitcode_ = WIFSIGNALED(status) ? -WTERMSIG(status) : WEXITSTATUS(status);
  close_pidfd();
  return true;
}

void Process::require_started(const char* operation) const {
  if (pid_ == 0)
    throw std::logic_error(std::string("billiard::Process::") + operation + ": " + name_ +
                           " was never started");
}

void Process::join() {
  require_started("join");
  reap(true);
}

bool Process::join(std::chrono::steady_clock::duration timeout) {
  require_started("join");
  const auto deadline = std::chrono::steady_clock::now() + timeout;
  auto pause = std::chrono::microseconds(50);
  while (!reap(false)) {
    const auto left = deadline - std::chrono::steady_clock::now();
    if (left <= left.zero()) return false;
    if (pidfd_ >= 0) {  // readable once the child has ended
      pollfd fd{pidfd_, POLLIN, 0};
      const auto ms = std::chrono::ceil<std::chrono::milliseconds>(left).count();
      poll(&fd, 1, static_cast<int>(std::min<long long>(ms, 1000)));
    } else {
      std::this_thread::sleep_for(std::min<std::chrono::steady_clock::duration>(pause, left));
      pause = std::min(pause * 2, std::chrono::microseconds(10'000));
    }
  }
  return true;
}

bool Process::is_alive() { return pid_ != 0 && !reap(false); }

std::optional<int> Process::exitcode() {
  if (pid_ != 0) reap(false);
  return exitcode_;
}

void Process::signal(int signo, const char* what) {
  require_started(what);
  if (exitcode_) return;  // already reaped: the pid may belong to someone else now
  if (::kill(pid_, signo) != 0 && errno != ESRCH) throw_errno(what);
}

void Process::terminate() { signal(SIGTERM, "terminate"); }
void Process::kill() { signal(SIGKILL, "kill"); }

void Process::set_daemon(bool daemon) {
  if (pid_ != 0) throw std::logic_error("billiard::Process::set_daemon: " + name_ + " was already started");
  daemon_ = daemon;
}

void Process::close_pidfd() noexcept {
  if (pidfd_ >= 0) close(pidfd_);
  pidfd_ = -1;
}

}  // namespace billiard
