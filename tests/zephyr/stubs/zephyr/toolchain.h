/* SPDX-License-Identifier: Apache-2.0 */
/* Stand-in for include/zephyr/toolchain.h (toolchain/gcc.h): BUILD_ASSERT, __printf_like,
 * _CONCAT. */
#ifndef STUB_ZEPHYR_TOOLCHAIN_H
#define STUB_ZEPHYR_TOOLCHAIN_H

#define STUB_CONCAT_(a, b) a##b
#define _CONCAT(a, b)      STUB_CONCAT_(a, b)

/* Zephyr's C99 spelling is an enum whose value divides by zero when the condition fails;
 * GCC accepts _Static_assert in every -std, so the stand-in uses it everywhere. */
#define BUILD_ASSERT(expr, ...) _Static_assert(expr, "" __VA_ARGS__)

#define __printf_like(f, a) __attribute__((format(printf, f, a)))

#endif /* STUB_ZEPHYR_TOOLCHAIN_H */
