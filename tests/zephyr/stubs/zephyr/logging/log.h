/* SPDX-License-Identifier: Apache-2.0 */
/* Stand-in for include/zephyr/logging/log.h: LOG_MODULE_DECLARE, LOG_ERR/WRN/INF/DBG with
 * printf format checking (Zephyr checks formats too, CONFIG_LOG_... aside). */
#ifndef STUB_ZEPHYR_LOGGING_LOG_H
#define STUB_ZEPHYR_LOGGING_LOG_H
void stub_log(int level, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
#define LOG_MODULE_DECLARE(name, level) extern int stub_log_module_##name
#define LOG_ERR(...) stub_log(1, __VA_ARGS__)
#define LOG_WRN(...) stub_log(2, __VA_ARGS__)
#define LOG_INF(...) stub_log(3, __VA_ARGS__)
#define LOG_DBG(...) stub_log(4, __VA_ARGS__)
#endif
