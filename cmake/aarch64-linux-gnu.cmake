# Cross toolchain for aarch64 Linux with Debian's g++-aarch64-linux-gnu; CTest
# runs the test binaries under qemu-user with the aarch64 libraries from
# /usr/aarch64-linux-gnu. Used by tools/aarch64-test.
set(CMAKE_SYSTEM_NAME Linux)
set(CMAKE_SYSTEM_PROCESSOR aarch64)
set(CMAKE_CXX_COMPILER aarch64-linux-gnu-g++)
set(CMAKE_CROSSCOMPILING_EMULATOR qemu-aarch64-static -L /usr/aarch64-linux-gnu)
