# SPDX-License-Identifier: Apache-2.0
#
# Cross toolchain for the bare-metal Arm64 port: Debian's gcc-aarch64-linux-gnu, used
# freestanding (no libc, no startup files). Override the prefix with
#   -DVBE_CROSS_PREFIX=<prefix>   (default aarch64-linux-gnu-)

set(CMAKE_SYSTEM_NAME Generic)
set(CMAKE_SYSTEM_PROCESSOR aarch64)

set(VBE_CROSS_PREFIX "aarch64-linux-gnu-" CACHE STRING "cross toolchain prefix")

set(CMAKE_C_COMPILER ${VBE_CROSS_PREFIX}gcc)
set(CMAKE_ASM_COMPILER ${VBE_CROSS_PREFIX}gcc)
find_program(CMAKE_OBJCOPY ${VBE_CROSS_PREFIX}objcopy REQUIRED)
find_program(CMAKE_SIZE ${VBE_CROSS_PREFIX}size)

# The compiler cannot link a test program without our linker script: test by compiling.
set(CMAKE_TRY_COMPILE_TARGET_TYPE STATIC_LIBRARY)

set(CMAKE_FIND_ROOT_PATH_MODE_PROGRAM NEVER)
set(CMAKE_FIND_ROOT_PATH_MODE_LIBRARY ONLY)
set(CMAKE_FIND_ROOT_PATH_MODE_INCLUDE ONLY)
