// --plot: the report's JSON drawn by plot_stress.py (matplotlib), which
// travels with the binary as a runfile.
#pragma once

#include <filesystem>
#include <optional>
#include <string>

namespace billiard::stress {

// matplotlib is installed for Debian's own Python (tools/bazel installs python3-matplotlib).
inline constexpr const char* kPython = "/usr/bin/python3";

// plot_stress.py among this binary's runfiles, if it is there.
std::optional<std::filesystem::path> find_plotter();

// Runs kPython plotter json png; empty on success, else what went wrong.
std::string draw(const std::filesystem::path& plotter, const std::filesystem::path& json,
                 const std::filesystem::path& png);

}  // namespace billiard::stress
