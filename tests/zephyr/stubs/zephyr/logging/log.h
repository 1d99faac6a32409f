/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Stand-in for include/zephyr/logging/log.h: LOG_LEVEL_* (log_core.h: NONE 0, ERR 1, WRN 2,
 * INF 3, DBG 4), LOG_MODULE_REGISTER(name, level), LOG_MODULE_DECLARE(name, level), LOG_ERR,
 * LOG_WRN, LOG_INF, LOG_DBG with printf format checking. As in Zephyr, a LOG_* call needs the
 * file to register or declare a module, a declared module must be registered once somewhere
 * (else the link fails), and a second registration does not link.
 */
#ifndef STUB_ZEPHYR_LOGGING_LOG_H
#define STUB_ZEPHYR_LOGGING_LOG_H
#include <zephyr/toolchain.h>

#define LOG_LEVEL_NONE 0
#define LOG_LEVEL_ERR  1
#define LOG_LEVEL_WRN  2
#define LOG_LEVEL_INF  3
#define LOG_LEVEL_DBG  4

struct stub_log_source {
	const char *name;
	int level;
};

__printf_like(3, 4) void stub_log(const struct stub_log_source *src, int level, const char *fmt,
				  ...);

#define LOG_MODULE_REGISTER(name, level)                                                           \
	const struct stub_log_source stub_log_source_##name = {#name, level};                      \
	__attribute__((unused)) static const struct stub_log_source *const stub_log_current =        \
		&stub_log_source_##name

#define LOG_MODULE_DECLARE(name, level)                                                            \
	extern const struct stub_log_source stub_log_source_##name;                                \
	__attribute__((unused)) static const struct stub_log_source *const stub_log_current =        \
		&stub_log_source_##name

#define LOG_ERR(...) stub_log(stub_log_current, LOG_LEVEL_ERR, __VA_ARGS__)
#define LOG_WRN(...) stub_log(stub_log_current, LOG_LEVEL_WRN, __VA_ARGS__)
#define LOG_INF(...) stub_log(stub_log_current, LOG_LEVEL_INF, __VA_ARGS__)
#define LOG_DBG(...) stub_log(stub_log_current, LOG_LEVEL_DBG, __VA_ARGS__)

#endif /* STUB_ZEPHYR_LOGGING_LOG_H */
