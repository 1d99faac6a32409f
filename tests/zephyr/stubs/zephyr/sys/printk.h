/* SPDX-License-Identifier: Apache-2.0 */
/* Stand-in for include/zephyr/sys/printk.h: printk(fmt, ...) and
 * vsnprintk(str, size, fmt, ap), with printf format checking as Zephyr declares them. */
#ifndef STUB_ZEPHYR_SYS_PRINTK_H
#define STUB_ZEPHYR_SYS_PRINTK_H
#include <stdarg.h>
#include <stddef.h>

#include <zephyr/toolchain.h>

__printf_like(1, 2) void printk(const char *fmt, ...);
__printf_like(3, 0) int vsnprintk(char *str, size_t size, const char *fmt, va_list ap);

#endif /* STUB_ZEPHYR_SYS_PRINTK_H */
