// tools/stress's command line. A bad option or value is one line on stderr
// naming it and what is accepted, and exit code 2.
#pragma once

#include <iosfwd>
#include <string>

#include "harness.hpp"

namespace billiard::stress {

inline constexpr int kExitUsage = 2;

struct Options {
  Request request;
  std::string json_path;  // empty: no JSON file
  std::string plot_path;  // empty: no plot
  bool list = false;      // --list: print what can be asked for, run nothing
};

// Parses argv; prints help and exits 0 for --help, exits kExitUsage on a bad option.
Options parse_options(int argc, char** argv);

// --list: the scenarios with their defaults, the lock kinds, the typecodes.
void print_list(std::ostream& out);

// "billiard stress: <message>" on stderr, then exit(kExitUsage).
[[noreturn]] void usage_error(const std::string& message);

}  // namespace billiard::stress
