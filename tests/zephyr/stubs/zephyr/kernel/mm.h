/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Stand-in for include/zephyr/kernel/mm.h: the K_MEM_CACHE_* and K_MEM_PERM_* flags, and on
 * arm64 (CONFIG_ARM64) include/zephyr/arch/arm64/arm_mem.h's K_MEM_ARM_* memory types. The
 * values are the tests' own; only the names and their use as flags matter here.
 */
#ifndef STUB_ZEPHYR_KERNEL_MM_H
#define STUB_ZEPHYR_KERNEL_MM_H
#include <zephyr/sys/util.h>

#define K_MEM_CACHE_WB   0
#define K_MEM_CACHE_WT   1
#define K_MEM_CACHE_NONE 2
#define K_MEM_CACHE_MASK (BIT(3) - 1)
#define K_MEM_PERM_RW    BIT(3)
#define K_MEM_PERM_EXEC  BIT(4)
#define K_MEM_PERM_USER  BIT(5)

#if defined(CONFIG_ARM64)
#include <zephyr/arch/arm64/arm_mem.h>
#endif

#endif /* STUB_ZEPHYR_KERNEL_MM_H */
