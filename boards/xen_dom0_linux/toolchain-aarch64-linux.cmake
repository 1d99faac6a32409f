# SPDX-License-Identifier: Apache-2.0
#
# Cross toolchain for vbe-xen: Debian's gcc-aarch64-linux-gnu with its glibc
# (libc6-dev-arm64-cross), linking statically against the Xen libraries of the arm64
# sysroot (VBE_XEN_SYSROOT). Override the prefix with -DVBE_CROSS_PREFIX=<prefix>.

set(CMAKE_SYSTEM_NAME Linux)
set(CMAKE_SYSTEM_PROCESSOR aarch64)

set(VBE_CROSS_PREFIX "aarch64-linux-gnu-" CACHE STRING "cross toolchain prefix")
set(CMAKE_C_COMPILER ${VBE_CROSS_PREFIX}gcc)

set(CMAKE_FIND_ROOT_PATH_MODE_PROGRAM NEVER)
