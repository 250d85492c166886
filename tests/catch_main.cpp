// The one main() of every Catch2 test binary. After the tests it checks that
// they left nothing behind: no child process (reaped or not) and no new
// /dev/shm entry, named segments included (after the garbage collection that
// any Segment::list would do: remove_when_unused segments whose users all
// died go then, by contract). Either fails the run.
#define CATCH_CONFIG_RUNNER
#include <catch2/catch.hpp>

#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <cstdlib>
#include <csignal>
#include <filesystem>
#include <set>
#include <string>
#include <string_view>

#include "billiard/segment.hpp"

namespace {

std::set<std::string> shm_entries() {
  std::set<std::string> names;
  std::error_code ec;
  for (const auto& entry : std::filesystem::directory_iterator("/dev/shm", ec))
    names.insert(entry.path().filename().string());
  return names;
}

// An entry of another test binary, stress run or benchmark running now
// (Bazel runs tests side by side): its name carries that process's pid, as in
// billiard.test.<pid>.<what> (test::segment_name), billiard.stress.<pid>.<what>
// (the stress harness) or billiard_queue_bench_<pid>.
bool another_runs(const std::string& name) {
  if (!name.starts_with("billiard")) return false;
  const auto digits = name.find_first_of("0123456789");
  if (digits == std::string::npos || (name[digits - 1] != '.' && name[digits - 1] != '_')) return false;
  const pid_t pid = static_cast<pid_t>(std::strtol(name.c_str() + digits, nullptr, 10));
  return pid > 0 && pid != getpid() && kill(pid, 0) == 0;
}

// Counts the leftovers and says what they are.
int leftovers(const std::set<std::string>& shm_before) {
  int found = 0;
  int status = 0;
  pid_t pid;
  while ((pid = waitpid(-1, &status, WNOHANG)) > 0 || (pid == 0)) {
    if (pid == 0) {
      std::fprintf(stderr, "leftover: a child process is still running\n");
      return found + 1;
    }
    std::fprintf(stderr, "leftover: child %d was never reaped by its Process\n", pid);
    ++found;
  }
  billiard::Segment::collect_garbage();
  const std::string ours = "billiard.test." + std::to_string(getpid()) + ".";  // test::segment_name's
  for (const std::string& name : shm_entries())
    if (!shm_before.count(name) && !another_runs(name)) {
      std::fprintf(stderr, "leftover: /dev/shm/%s%s\n", name.c_str(),
                   name.starts_with(ours) ? " (a segment of this run: tools/shm rm removes one)" : "");
      ++found;
    }
  return found;
}

}  // namespace

int main(int argc, char* argv[]) {
  const std::set<std::string> shm_before = shm_entries();
  const int failed = Catch::Session().run(argc, argv);
  const int left = leftovers(shm_before);
  return failed != 0 ? failed : (left != 0 ? 1 : 0);
}
