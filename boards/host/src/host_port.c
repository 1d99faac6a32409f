/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Host port: logging to stderr and a monotonic clock, for the core built as a shared library.
 *
 * VBE_LOG_LEVEL (environment) picks the most verbose level printed: 1 err, 2 wrn (default),
 * 3 inf, 4 dbg.
 */

#define _POSIX_C_SOURCE 200809L

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <time.h>

#include <vbe/port.h>

static int host_log_level(void)
{
	static int level = -1;

	if (level < 0) {
		const char *env = getenv("VBE_LOG_LEVEL");

		level = (env != NULL) ? atoi(env) : VBE_LOG_WRN;
	}
	return level;
}

void vbe_port_log(int level, const char *fmt, ...)
{
	static const char *const names[] = {"", "err", "wrn", "inf", "dbg"};
	va_list ap;

	if (level > host_log_level() || level < VBE_LOG_ERR || level > VBE_LOG_DBG) {
		return;
	}
	fprintf(stderr, "[vbe %s] ", names[level]);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
}

uint64_t vbe_port_time_us(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000U + (uint64_t)ts.tv_nsec / 1000U;
}
