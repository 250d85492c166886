#include "billiard/process.hpp"

#include <poll.h>
#include <sys/mman.h>
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

#include "billiard/locks/futex.hpp"

namespace billiard {
namespace {

constexpr auto kTerminateGrace = std::chrono::seconds(5);  // daemon: SIGTERM, then SIGKILL

[[noreturn]] void throw_errno(const std::string& what) {
  throw std::system_error(errno, std::generic_category(), "billiard::Process::" + what);
}

int open_pidfd(pid_t pid) noexcept { return static_cast<int>(syscall(SYS_pidfd_open, pid, 0)); }

// The status word, in its own MAP_SHARED page: the parent sets kPidfdReady
// once it holds the pidfd (or knows it cannot have one); the child waits for
// that at its end, then sets kStatusWritten | status and _exits.
constexpr std::uint32_t kStatusWritten = 0x100, kPidfdReady = 0x200, kStatusMask = 0xff;
constexpr auto kParentCheck = std::chrono::milliseconds(10);  // the child looks for a dead parent this often

std::size_t page_size() noexcept { return static_cast<std::size_t>(sysconf(_SC_PAGESIZE)); }

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
      status_(std::exchange(other.status_, nullptr)),
      sent_signal_(other.sent_signal_),
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
  if (status_ != nullptr) munmap(status_, page_size());
}

void Process::start() {
  if (pid_ != 0) throw std::logic_error("billiard::Process::start: " + name_ + " was already started");
  std::cout.flush();
  std::cerr.flush();
  std::fflush(nullptr);
  void* page = mmap(nullptr, page_size(), PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS, -1, 0);
  if (page == MAP_FAILED) throw_errno("start: mmap");
  status_ = ::new (page) std::atomic<std::uint32_t>(0);
  const pid_t pid = argv_.empty() ? fork() : start_program();
  if (pid < 0) throw_errno("start: fork");
  if (pid == 0) run_child();
  pid_ = pid;
  pidfd_ = open_pidfd(pid);  // -1 on kernels before 5.3: join(timeout) then polls
  // ESRCH: killed by someone before we looked, and reaped by the kernel (SIGCHLD ignored).
  if (pidfd_ < 0 && errno == ESRCH) exitcode_ = reported_status().value_or(-SIGKILL);
  status_->fetch_or(kPidfdReady);  // seq_cst: pairs with the child's loads in run_child, then the wake
  futex_wake(*status_, 1);
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
  // Until the parent holds our pidfd: ended and reaped (SIGCHLD ignored) before
  // that, our pid could be another process's by the time it opens one.
  // Every kParentCheck it looks whether the parent died (then nobody will set it).
  const pid_t parent = getppid();
  for (std::uint32_t word; ((word = status_->load()) & kPidfdReady) == 0 && getppid() == parent;) {
    const auto check = to_monotonic_timespec(deadline_after(std::chrono::steady_clock::now(), kParentCheck));
    futex_wait(*status_, word, &check);
  }
  // release: the parent reads the status after the pidfd says we ended (acquire in reported_status)
  status_->fetch_or(kStatusWritten | static_cast<std::uint32_t>(status), std::memory_order_release);
  _exit(status);  // no atexit handlers, no static destructors: those are the parent's
}

bool Process::reap(bool block) {
  if (exitcode_) return true;
  if (pidfd_ < 0) {  // kernels before 5.3: the pid is still ours until we reap it
    int status = 0;
    pid_t r;
    do r = waitpid(pid_, &status, block ? 0 : WNOHANG);
    while (r < 0 && errno == EINTR);
    if (r < 0) throw_errno("join: waitpid(" + std::to_string(pid_) + ")");
    if (r == 0) return false;
    exitcode_ = WIFSIGNALED(status) ? -WTERMSIG(status) : WEXITSTATUS(status);
    return true;
  }
  siginfo_t info{};
  int r;
  do r = waitid(P_PIDFD, static_cast<id_t>(pidfd_), &info, WEXITED | (block ? 0 : WNOHANG));
  while (r < 0 && errno == EINTR);
  if (r == 0) {
    if (info.si_pid == 0) return false;  // WNOHANG: still running
    exitcode_ = info.si_code == CLD_EXITED ? info.si_status : -info.si_status;
  } else if (errno == ECHILD) {
    // No status to wait for: the kernel reaped it (SIGCHLD ignored) or another
    // waiter did. Waitable or not, the pidfd is readable once it has ended.
    pollfd fd{pidfd_, POLLIN, 0};
    int ready;
    do ready = poll(&fd, 1, block ? -1 : 0);
    while (ready < 0 && errno == EINTR);
    if (ready < 0) throw_errno("join: poll(pidfd of " + std::to_string(pid_) + ")");
    if (ready == 0) return false;
    exitcode_ = reported_status().value_or(-(sent_signal_ != 0 ? sent_signal_ : SIGKILL));
  } else {
    throw_errno("join: waitid(pidfd of " + std::to_string(pid_) + ")");
  }
  close_pidfd();
  return true;
}

std::optional<int> Process::reported_status() const noexcept {
  // acquire: pairs with run_child's release
  const std::uint32_t word = status_->load(std::memory_order_acquire);
  if ((word & kStatusWritten) == 0) return std::nullopt;
  return static_cast<int>(word & kStatusMask);
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

bool Process::join_until(std::chrono::steady_clock::time_point deadline) {
  require_started("join");
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
  sent_signal_ = signo;
  // Through the pidfd: it names our child even after its pid is reused. ESRCH: it has ended already.
  const long r = pidfd_ >= 0 ? syscall(SYS_pidfd_send_signal, pidfd_, signo, nullptr, 0) : ::kill(pid_, signo);
  if (r != 0 && errno != ESRCH) throw_errno(what);
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
