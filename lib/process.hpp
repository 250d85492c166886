// Process: runs a callable in a fork'd child, as billiard's (and Python's
// multiprocessing's) Process does. The child shares every billiard object that
// existed when it started.
//
//   Process p([](RawValue<int> v) { v += 1; }, counter);
//   p.start(); p.join(); assert(p.exitcode() == 0);
//
// The child _exits with 0 when target returns, with 1 after printing
// "Process <name>:" and the exception's what() to stderr when it throws.
// exitcode() is empty while it runs and -N after signal N killed it.
// The destructor of a started handle joins it (a daemon is terminated first),
// so no zombie is ever left behind.
//
// The handle follows its child through a pidfd, never its pid alone: it waits
// with waitid(P_PIDFD) and signals with pidfd_send_signal, so a pid the kernel
// has reused for another process is never waited for or signalled.
// The child does not _exit before its handle has the pidfd (it waits for the
// parent's word at its end, unless the parent has died), so the pidfd is never
// opened on a pid already reaped and reused.
// SIGCHLD ignored (SIG_IGN or SA_NOCLDWAIT): the kernel reaps children itself
// and discards their status. join, is_alive and exitcode still work: the end
// is read from the pidfd, and the child writes its exit status into a page it
// shares with its handle just before _exit. A child killed by a signal writes
// nothing: exitcode() is then -N for the last signal N this handle sent
// (terminate, kill), and -SIGKILL when it sent none (killed by someone else,
// or a crash: the kernel has thrown the real signal away). The same holds when
// another waiter (waitpid(-1, ...)) reaped the child first.
//
// Process::spawn(argv) makes a handle whose start() runs a program as a fresh
// process image instead of forking this one (the safe way from a
// multithreaded parent); the rest of the lifecycle is the same. A program
// that cannot be executed exits with 127 after writing why (strerror's text)
// to stderr. It shares objects through a named segment (segment.hpp).
#pragma once

#include <sys/types.h>

#include <atomic>
#include <chrono>
#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <tuple>
#include <vector>
#include <utility>

#include "billiard/locks/deadline.hpp"

namespace billiard {

class Process {
 public:
  template <class F, class... Args>
    requires std::invocable<std::decay_t<F>&, std::decay_t<Args>&...>
  explicit Process(F&& target, Args&&... args)
      : target_([f = std::forward<F>(target),
                 tup = std::make_tuple(std::forward<Args>(args)...)]() mutable { std::apply(f, tup); }),
        name_(next_name()) {}

  // argv[0] is the program: a path, or a name looked up in PATH as execvp
  // does. std::invalid_argument when argv is empty.
  static Process spawn(std::vector<std::string> argv);

  Process(Process&& other) noexcept;
  Process& operator=(Process&& other) noexcept;
  Process(const Process&) = delete;
  Process& operator=(const Process&) = delete;
  ~Process();

  // Forks and runs target in the child (spawn: executes the program) (stdout, stderr and std::cout/cerr are
  // flushed first, so nothing buffered prints twice). std::logic_error if
  // already started; std::system_error if fork fails.
  void start();

  // Waits for the child to end. std::logic_error if not started.
  void join();
  // Waits at most timeout; true if the child has ended. Any duration type: a
  // timeout too long for nanoseconds (hours::max()) waits without end, never
  // overflows into an instant return (locks/deadline.hpp).
  template <class Rep, class Period>
  bool join(const std::chrono::duration<Rep, Period>& timeout) {
    return join_until(deadline_after(std::chrono::steady_clock::now(), timeout));
  }

  bool is_alive();
  pid_t pid() const noexcept { return pid_; }  // 0 before start()
  const std::string& name() const noexcept { return name_; }
  void set_name(std::string name) { name_ = std::move(name); }
  // Empty while running (or before start); the exit status, or -N after signal N.
  std::optional<int> exitcode();

  void terminate();  // SIGTERM
  void kill();       // SIGKILL
  // A daemon's handle terminates it when destroyed instead of waiting for it.
  void set_daemon(bool daemon);
  bool daemon() const noexcept { return daemon_; }

 private:
  Process() : name_(next_name()) {}
  static std::string next_name();
  pid_t start_program();  // spawn's start(): the child's pid (lib/spawn.cpp)
  [[noreturn]] void run_child() noexcept;
  bool join_until(std::chrono::steady_clock::time_point deadline);
  bool reap(bool block);  // true once the exit status is known
  void signal(int signo, const char* what);
  void require_started(const char* operation) const;
  void close_pidfd() noexcept;
  std::optional<int> reported_status() const noexcept;  // what the child wrote, SIGCHLD ignored or not

  std::function<void()> target_;
  std::vector<std::string> argv_;  // spawn: the program and its arguments
  std::string name_;
  pid_t pid_ = 0;
  int pidfd_ = -1;  // poll()able until the child ends: join(timeout) sleeps on it
  // A word in a page MAP_SHARED with the child: kPidfdReady from the parent,
  // kStatusWritten | exit status from the child (process.cpp).
  std::atomic<std::uint32_t>* status_ = nullptr;
  int sent_signal_ = 0;         // the last signal this handle sent, for a status the kernel discarded
  bool daemon_ = false;
  std::optional<int> exitcode_;
};

}  // namespace billiard
