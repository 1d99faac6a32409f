/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The stand-in logging backend (zephyr/logging/log.h) of the host harnesses (harness.c,
 * xen_harness.c): each LOG_* line on stdout as "log<level> <module>: <text>".
 */

#include <stdarg.h>
#include <stdio.h>

#include <zephyr/logging/log.h>

void stub_log(const struct stub_log_source *src, int level, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	printf("log%d %s: ", level, src->name);
	vprintf(fmt, ap);
	printf("\n");
	va_end(ap);
}
