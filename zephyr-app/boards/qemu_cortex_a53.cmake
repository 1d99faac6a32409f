# SPDX-License-Identifier: Apache-2.0
#
# Included by zephyr-app/CMakeLists.txt before find_package(Zephyr) when building for
# qemu_cortex_a53 (the application's own file: Zephyr picks up boards/<board>.overlay and
# .conf by itself, but has no per-board CMake hook for applications). The guest windows
# (qemu_cortex_a53.overlay) sit at 0x48000000, above the
# 128 MiB QEMU gives by default: ask for 256 MiB so `west build -t run` has RAM there.
# Zephyr's qemu.cmake appends these flags to the QEMU command line (the environment's
# QEMU_EXTRA_FLAGS are added after them).

list(APPEND QEMU_EXTRA_FLAGS -m 256M)
