// The one main() of every Catch2 test binary. After the tests it checks that
// they left nothing behind: no child process (reaped or not) and no new
// /dev/shm entry. Either fails the run.
#define CATCH_CONFIG_RUNNER
#include <catch2/catch.hpp>

#include <sys/wait.h>

#include <cerrno>
#include <cstdio>
#include <filesystem>
#include <set>
#include <string>

namespace {

std::set<std::string> shm_entries() {
  std::set<std::string> names;
  std::error_code ec;
  for (const auto& entry : std::filesystem::directory_iterator("/dev/shm", ec))
    names.insert(entry.path().filename().string());
  return names;
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
  for (const std::string& name : shm_entries())
    if (!shm_before.count(name)) {
      std::fprintf(stderr, "leftover: /dev/shm/%s\n", name.c_str());
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
