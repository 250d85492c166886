#include "plot.hpp"

#include <spawn.h>
#include <sys/wait.h>

#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <system_error>
#include <vector>

extern char** environ;

namespace billiard::stress {
namespace {

constexpr const char* kPlotter = "billiard/tests/stress/plot_stress.py";  // in the runfiles tree

}  // namespace

std::optional<std::filesystem::path> find_plotter() {
  std::vector<std::filesystem::path> roots;
  for (const char* variable : {"RUNFILES_DIR", "TEST_SRCDIR"})  // set by bazel run and bazel test
    if (const char* dir = std::getenv(variable)) roots.emplace_back(dir);
  std::error_code error;
  const auto binary = std::filesystem::read_symlink("/proc/self/exe", error);
  if (!error) roots.push_back(binary.string() + ".runfiles");  // beside the binary in bazel-bin
  for (const auto& root : roots)
    if (std::filesystem::is_regular_file(root / kPlotter, error)) return root / kPlotter;
  return std::nullopt;
}

std::string draw(const std::filesystem::path& plotter, const std::filesystem::path& json,
                 const std::filesystem::path& png) {
  std::string args[] = {kPython, plotter.string(), json.string(), png.string()};
  char* argv[] = {args[0].data(), args[1].data(), args[2].data(), args[3].data(), nullptr};
  pid_t pid = 0;
  if (const int e = posix_spawn(&pid, kPython, nullptr, nullptr, argv, environ); e != 0)
    return std::string("cannot run ") + kPython + ": " + std::strerror(e);
  int status = 0;
  while (waitpid(pid, &status, 0) < 0)
    if (errno != EINTR) return std::string("waitpid: ") + std::strerror(errno);
  if (WIFEXITED(status) && WEXITSTATUS(status) == 0) return {};
  return plotter.filename().string() + " failed (" +
         (WIFEXITED(status) ? "exit code " + std::to_string(WEXITSTATUS(status))
                            : "signal " + std::to_string(WTERMSIG(status))) +
         ")";
}

}  // namespace billiard::stress
