// tools/shm: the named segments on this machine (lib/segment.hpp).
//   tools/shm [list]     name, bytes, creator pid, processes attached, objects
//   tools/shm gc         removes remove_when_unused segments nobody uses and
//                        files left by creators that died; prints what went
//   tools/shm rm NAME... removes segments by name (their mappings stay valid)
// Exit 0 on success, 1 when a segment to remove is not there, 2 for a bad
// name or option (one line on stderr).
#include <CLI/CLI.hpp>

#include <cstdio>
#include <exception>
#include <iostream>
#include <stdexcept>
#include <string>
#include <vector>

#include "billiard/segment.hpp"

namespace {

constexpr int kExitMissing = 1;
constexpr int kExitUsage = 2;

int list() {
  const std::vector<billiard::SegmentInfo> segments = billiard::Segment::list();
  std::printf("%-32s %14s %8s %9s %8s  %s\n", "NAME", "BYTES", "CREATOR", "ATTACHED", "OBJECTS", "LIFETIME");
  for (const billiard::SegmentInfo& s : segments)
    std::printf("%-32s %14zu %8d %9zu %8zu  %s\n", s.name.c_str(), s.bytes, static_cast<int>(s.creator), s.attached,
                s.objects, s.remove_when_unused ? "remove_when_unused" : "persistent");
  return 0;
}

int gc() {
  for (const std::string& name : billiard::Segment::collect_garbage()) std::printf("removed %s\n", name.c_str());
  return 0;
}

int rm(const std::vector<std::string>& names) {
  int code = 0;
  for (const std::string& name : names)
    if (!billiard::Segment::remove(name)) {
      std::fprintf(stderr, "tools/shm rm: no segment '%s'\n", name.c_str());
      code = kExitMissing;
    }
  return code;
}

}  // namespace

int main(int argc, char** argv) {
  CLI::App app{"The named segments of billiard (docs/segments.md): list them, collect the unused, remove by name."};
  app.name("tools/shm");
  app.require_subcommand(0, 1);
  CLI::App* list_command = app.add_subcommand("list", "name, bytes, creator, processes attached, objects (default)");
  CLI::App* gc_command = app.add_subcommand("gc", "remove remove_when_unused segments nobody uses, and leftovers");
  CLI::App* rm_command = app.add_subcommand("rm", "remove segments by name");
  std::vector<std::string> names;
  rm_command->add_option("NAME", names, "segment names")->required();
  try {
    app.parse(argc, argv);
  } catch (const CLI::CallForHelp& e) {
    return app.exit(e);
  } catch (const CLI::ParseError& e) {
    std::fprintf(stderr, "tools/shm: %s (see --help)\n", e.what());
    return kExitUsage;
  }
  try {
    if (gc_command->parsed()) return gc();
    if (rm_command->parsed()) return rm(names);
    (void)list_command;
    return list();
  } catch (const std::invalid_argument& e) {
    std::fprintf(stderr, "tools/shm: %s\n", e.what());
    return kExitUsage;
  } catch (const std::exception& e) {
    std::fprintf(stderr, "tools/shm: %s\n", e.what());
    return 1;
  }
}
