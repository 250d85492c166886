#!/usr/bin/env bash
# CI: Bazel and CMake build the same library and the same unit tests.
# Fails, printing the difference, when a .cpp or .hpp in lib/, atomic/ or
# locks/ is on disk but missing from either build's library, or when a Catch2
# test that Bazel runs is not one that CMake builds (or the other way round).
#   tests/consumers/check_sources.sh
set -euo pipefail
cd "$(dirname "$0")/../.."
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
tools/install-packages cmake

find lib atomic locks -maxdepth 1 -type f \( -name '*.cpp' -o -name '*.hpp' \) | sort >"$work/disk"

# Bazel: every source file the //lib:billiard library is made of.
tools/bazel query --noshow_progress 'kind("source file", deps(//lib:billiard))' 2>/dev/null |
  sed -nE 's|^//(lib\|atomic\|locks):(.*)$|\1/\2|p' | sort >"$work/bazel"
# CMake: configuring writes what the billiard target compiles.
cmake -S . -B "$work/cmake" -DBILLIARD_BUILD_TESTS=ON >/dev/null
sort "$work/cmake/billiard_sources.txt" >"$work/cmake_sources"

# The Catch2 tests on each side, by name.
tools/bazel query --noshow_progress 'attr(deps, "//tests:catch_main", kind(cc_test, //tests/...))' 2>/dev/null |
  sed 's/.*://' | sort >"$work/bazel_tests"
(cd "$work/cmake" && ctest -N) | sed -nE 's/^ *Test +#[0-9]+: (.*)$/\1/p' | sort >"$work/cmake_tests"

status=0
compare() {  # compare <what> <left name> <left file> <right name> <right file>
  if ! diff -u --label "$2" --label "$4" "$3" "$5"; then
    echo "check_sources: $1 differ ('-' only in $2, '+' only in $4)" >&2
    status=1
  fi
}
compare "library files" "lib/ atomic/ locks/ on disk" "$work/disk" "Bazel //lib:billiard" "$work/bazel"
compare "library files" "lib/ atomic/ locks/ on disk" "$work/disk" "CMake billiard" "$work/cmake_sources"
compare "Catch2 tests" "Bazel" "$work/bazel_tests" "CMake" "$work/cmake_tests"
((status == 0)) && echo "check_sources: Bazel and CMake agree on $(wc -l <"$work/disk") library files and $(wc -l <"$work/bazel_tests") tests"
exit "$status"
