/* SPDX-License-Identifier: Apache-2.0 */
/* Stand-in for include/zephyr/arch/arm64/arm_mem.h: arm64 memory types for the cache field
 * of K_MEM_* flags (values the tests' own). */
#ifndef STUB_ZEPHYR_ARCH_ARM64_ARM_MEM_H
#define STUB_ZEPHYR_ARCH_ARM64_ARM_MEM_H

#define K_MEM_ARM_DEVICE_nGnRnE 3
#define K_MEM_ARM_DEVICE_nGnRE  4
#define K_MEM_ARM_DEVICE_GRE    5
#define K_MEM_ARM_NORMAL_NC     6

#endif /* STUB_ZEPHYR_ARCH_ARM64_ARM_MEM_H */
