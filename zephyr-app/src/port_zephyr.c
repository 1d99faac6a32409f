/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Zephyr port: logging and time for the portable core (vbe/port.h).
 *
 * The core formats printf-style; Zephyr's logging takes its own format strings. Each core
 * line is formatted here into a bounded stack buffer and handed to LOG_* as one "%s"
 * argument (deferred logging copies transient strings, so the buffer may go away).
 */

#include "port_zephyr.h"

#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <zephyr/kernel.h>
#include <zephyr/logging/log.h>
#include <zephyr/sys/printk.h>
#include <zephyr/sys/util.h>

#include <vbe/port.h>

LOG_MODULE_REGISTER(vbe, CONFIG_VBE_LOG_LEVEL);

/* vbe/port.h promises Zephyr's level order; keep the two tied. */
BUILD_ASSERT(VBE_LOG_ERR == LOG_LEVEL_ERR, "VBE_LOG_ERR must equal LOG_LEVEL_ERR");
BUILD_ASSERT(VBE_LOG_WRN == LOG_LEVEL_WRN, "VBE_LOG_WRN must equal LOG_LEVEL_WRN");
BUILD_ASSERT(VBE_LOG_INF == LOG_LEVEL_INF, "VBE_LOG_INF must equal LOG_LEVEL_INF");
BUILD_ASSERT(VBE_LOG_DBG == LOG_LEVEL_DBG, "VBE_LOG_DBG must equal LOG_LEVEL_DBG");

/* Marks a line cut at CONFIG_VBE_LOG_LINE_SIZE. */
#define VBE_LOG_CUT_MARK     "..."
#define VBE_LOG_CUT_MARK_LEN (sizeof(VBE_LOG_CUT_MARK) - 1U)

BUILD_ASSERT(CONFIG_VBE_LOG_LINE_SIZE > VBE_LOG_CUT_MARK_LEN + 1U,
	     "CONFIG_VBE_LOG_LINE_SIZE is too small for the truncation mark");

void vbe_port_log(int level, const char *fmt, ...)
{
	char line[CONFIG_VBE_LOG_LINE_SIZE];
	size_t used;
	va_list ap;
	int len;

	va_start(ap, fmt);
	len = vsnprintk(line, sizeof(line), fmt, ap);
	va_end(ap);

	if (len < 0) {
		LOG_ERR("core log line not formatted (%d)", len);
		return;
	}

	used = (size_t)len;
	if (used >= sizeof(line)) {
		/* Cut: say so at the end of what fits. */
		used = sizeof(line) - 1U;
		for (size_t i = 0; i < VBE_LOG_CUT_MARK_LEN; i++) {
			line[used - VBE_LOG_CUT_MARK_LEN + i] = VBE_LOG_CUT_MARK[i];
		}
		line[used] = '\0';
	}

	/* Zephyr's logging ends every message itself. */
	if ((used > 0U) && (line[used - 1U] == '\n')) {
		line[used - 1U] = '\0';
	}

	if (level <= VBE_LOG_ERR) {
		LOG_ERR("%s", line);
	} else if (level == VBE_LOG_WRN) {
		LOG_WRN("%s", line);
	} else if (level == VBE_LOG_INF) {
		LOG_INF("%s", line);
	} else {
		LOG_DBG("%s", line);
	}
}

uint64_t vbe_port_time_us(void)
{
	/* The 64-bit cycle counter (the arm64 architected timer has one) is finer than ticks. */
	if (IS_ENABLED(CONFIG_TIMER_HAS_64BIT_CYCLE_COUNTER)) {
		return k_cyc_to_us_floor64(k_cycle_get_64());
	}

	return k_ticks_to_us_floor64((uint64_t)k_uptime_ticks());
}
