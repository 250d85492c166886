// Process::spawn: start() runs a program as a fresh process image.
//
// Everything the child touches is made before the clone: between clone and
// exec the child allocates nothing, takes no lock and calls only execve,
// write and _exit, so a multithreaded parent (whose other threads may hold
// malloc's or any library's locks at that instant) is safe. The clone is
// CLONE_VFORK without CLONE_VM: the child has its own copy of memory, as
// after fork, but no pthread_atfork handler runs in either process, and the
// parent sleeps until the child has exec'd or exited, so start() returns with
// the program running (or already gone with 127).
#include <sched.h>
#include <signal.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <stdexcept>
#include <string>
#include <string_view>
#include <system_error>
#include <vector>

#include "billiard/process.hpp"

extern char** environ;

namespace billiard {
namespace {

// Where execvp would look for program, in its order.
std::vector<std::string> candidates(const std::string& program) {
  if (program.find('/') != std::string::npos) return {program};
  const char* path = std::getenv("PATH");
  const std::string_view dirs = path != nullptr ? path : "/usr/local/bin:/usr/bin:/bin";
  std::vector<std::string> out;
  std::size_t from = 0;
  while (true) {
    const std::size_t colon = dirs.find(':', from);
    const std::string_view dir = dirs.substr(from, colon == dirs.npos ? dirs.npos : colon - from);
    out.push_back((dir.empty() ? std::string(".") : std::string(dir)) + "/" + program);
    if (colon == dirs.npos) return out;
    from = colon + 1;
  }
}

void write_all(const char* text, std::size_t length) noexcept {
  while (length > 0) {
    const ssize_t n = write(STDERR_FILENO, text, length);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) return;
    text += n;
    length -= static_cast<std::size_t>(n);
  }
}

// The child: only async-signal-safe calls on memory prepared by the parent.
[[noreturn]] void exec_child(const std::vector<const char*>& paths, char* const* argv,
                             const std::string& failure) noexcept {
  int error = ENOENT;
  for (const char* path : paths) {
    execve(path, argv, environ);
    if (errno != ENOENT && errno != ENOTDIR) error = errno;  // as execvp: "not found" is the last resort
  }
  write_all(failure.data(), failure.size());
  const char* reason = strerrordesc_np(error);  // a constant string: no locale, no allocation
  write_all(reason, std::strlen(reason));
  write_all("\n", 1);
  _exit(127);
}

}  // namespace

Process Process::spawn(std::vector<std::string> argv) {
  if (argv.empty() || argv[0].empty())
    throw std::invalid_argument("billiard::Process::spawn: argv needs at least the program to run");
  Process p;
  p.argv_ = std::move(argv);
  return p;
}

pid_t Process::start_program() {
  std::vector<char*> argv;
  for (std::string& arg : argv_) argv.push_back(arg.data());
  argv.push_back(nullptr);
  const std::vector<std::string> found = candidates(argv_[0]);
  std::vector<const char*> paths;
  for (const std::string& path : found) paths.push_back(path.c_str());
  const std::string failure = "billiard::Process::spawn: cannot execute " + argv_[0] + ": ";

  const long pid = syscall(SYS_clone, CLONE_VFORK | SIGCHLD, nullptr, nullptr, nullptr, nullptr);
  if (pid < 0) throw std::system_error(errno, std::generic_category(), "billiard::Process::start: clone");
  if (pid == 0) exec_child(paths, argv.data(), failure);
  return static_cast<pid_t>(pid);
}

}  // namespace billiard
