/* SPDX-License-Identifier: Apache-2.0 */
/* Stand-in for include/zephyr/sys/util.h: ARRAY_SIZE, ARG_UNUSED, MIN, MAX, BIT, ROUND_UP,
 * POINTER_TO_UINT, UINT_TO_POINTER; the macro helpers come from util_macro.h. */
#ifndef STUB_ZEPHYR_SYS_UTIL_H
#define STUB_ZEPHYR_SYS_UTIL_H
#include <stdint.h>

#include <zephyr/sys/util_macro.h>
#include <zephyr/toolchain.h>

#define ARRAY_SIZE(array) (sizeof(array) / sizeof((array)[0]))
#define ARG_UNUSED(x)     (void)(x)
#define MIN(a, b)         (((a) < (b)) ? (a) : (b))
#define MAX(a, b)         (((a) > (b)) ? (a) : (b))
#define BIT(n)            (1UL << (n))
#define ROUND_UP(x, align)                                                                         \
	((((unsigned long)(x) + ((unsigned long)(align) - 1)) / (unsigned long)(align)) *          \
	 (unsigned long)(align))
#define POINTER_TO_UINT(x) ((uintptr_t)(x))
#define UINT_TO_POINTER(x) ((void *)(uintptr_t)(x))

#endif /* STUB_ZEPHYR_SYS_UTIL_H */
