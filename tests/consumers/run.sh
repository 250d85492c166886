#!/usr/bin/env bash
# CI: billiard used the four ways docs/embedding.md describes, each building and
# running the README's tour example and checking what it prints:
#   1. CMake find_package(billiard) against an installed prefix (static, then shared)
#   2. CMake add_subdirectory on the source tree
#   3. a plain compiler with pkg-config (g++, and clang++ with no extra flag: no -mcx16)
#   4. a Bazel workspace with local_repository + billiard_dependencies(), offline
# then the headers' own diagnostics: C++17 and a too-early <atomic_ops.h> each
# fail with the one line that says what to do.
#   tests/consumers/run.sh
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/../.." && pwd)
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
jobs=${BILLIARD_JOBS:-2}
"$root/tools/install-packages" cmake pkg-config g++ clang-14 libatomic-ops-dev

awk -f "$here/tour.awk" "$root/README.md" >"$work/tour.cpp"
[[ -s $work/tour.cpp ]] || { echo "consumers: no tour example found in README.md" >&2; exit 1; }
expected="Final counter value: 15"

# run_tour <how> <binary>: runs it (bounded) and checks its output exactly.
run_tour() {
  local out
  if ! out=$(timeout 60 "$2"); then
    echo "consumers: $1: the tour exited with status $?" >&2
    exit 1
  fi
  if [[ $out != "$expected" ]]; then
    echo "consumers: $1: the tour printed '$out', expected '$expected'" >&2
    exit 1
  fi
  echo "consumers: $1: ok ($out)"
}

cmake_build() {  # cmake_build <source dir> <build dir> [cmake options...]
  local src=$1 build=$2
  shift 2
  cmake -S "$src" -B "$build" -DCMAKE_BUILD_TYPE=Release "$@" >"$build.log" 2>&1 &&
    cmake --build "$build" -j "$jobs" >>"$build.log" 2>&1 || { cat "$build.log" >&2; return 1; }
}

# 1. Install (static by default, then BUILD_SHARED_LIBS), use with find_package.
for kind in static shared; do
  shared=OFF
  [[ $kind == shared ]] && shared=ON
  cmake_build "$root" "$work/build-$kind" -DBUILD_SHARED_LIBS=$shared
  cmake --install "$work/build-$kind" --prefix "$work/prefix-$kind" >/dev/null
  cmake_build "$here/find_package" "$work/fp-$kind" -DCMAKE_PREFIX_PATH="$work/prefix-$kind" -DTOUR_SOURCE="$work/tour.cpp"
  run_tour "find_package ($kind)" "$work/fp-$kind/tour"
done
test -f "$work/prefix-static/lib/libbilliard.a"
test -f "$work/prefix-shared/lib/libbilliard.so"
test -f "$work/prefix-static/include/billiard/locks/futex_lock.hpp"

# 2. add_subdirectory on the source tree.
cmake_build "$here/subdirectory" "$work/sub" -DTOUR_SOURCE="$work/tour.cpp"
run_tour "add_subdirectory" "$work/sub/tour"

# 3. pkg-config and a plain compiler command, against the static prefix.
export PKG_CONFIG_PATH="$work/prefix-static/lib/pkgconfig"
for cxx in c++ clang++-14; do
  # shellcheck disable=SC2046  # pkg-config's flags are meant to split
  "$cxx" -o "$work/tour-$cxx" "$work/tour.cpp" $(pkg-config --cflags --libs billiard)
  run_tour "pkg-config ($cxx)" "$work/tour-$cxx"
done

# 4. Bazel: a workspace of its own, with local_repository on this checkout.
(
  cd "$here/bazel"
  trap '"$root/tools/bazel" shutdown' EXIT
  # --symlink_prefix=/: no bazel-* links left in the source tree.
  "$root/tools/bazel" build --noshow_progress --symlink_prefix=/ //:tour
  run_tour "bazel local_repository" "$("$root/tools/bazel" info bazel-bin 2>/dev/null)/tour"
)

# The headers say what is wrong, first. first_error <how> <expected text> <compiler args...>
first_error() {
  local how=$1 want=$2
  shift 2
  if "$@" -fsyntax-only -I"$work/prefix-static/include" 2>"$work/err"; then
    echo "consumers: $how: compiled, but should have failed with '$want'" >&2
    exit 1
  fi
  local first
  first=$(grep -m1 'error' "$work/err")
  if [[ $first != *"$want"* ]]; then
    echo "consumers: $how: first error is '$first', expected '$want'" >&2
    exit 1
  fi
  echo "consumers: $how: ok ($want)"
}
for cxx in g++ clang++-14; do
  first_error "$cxx -std=c++17" "billiard needs C++20: -std=c++20" "$cxx" -std=c++17 "$work/tour.cpp"
done
printf '#include <atomic_ops.h>\n#include "billiard/billiard.hpp"\n' >"$work/ao_first.cpp"
first_error "<atomic_ops.h> first" "was included before billiard's headers" g++ -std=c++20 "$work/ao_first.cpp"
echo "consumers: all passed"
