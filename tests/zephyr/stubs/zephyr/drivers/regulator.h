/* SPDX-License-Identifier: Apache-2.0 */
/* Stand-in for include/zephyr/drivers/regulator.h: regulator_enable/disable (reference
 * counted; disable at most once per successful enable), regulator_set_voltage (µV window). */
#ifndef STUB_ZEPHYR_DRIVERS_REGULATOR_H
#define STUB_ZEPHYR_DRIVERS_REGULATOR_H
#include <stdint.h>

#include <zephyr/device.h>

int regulator_enable(const struct device *dev);
int regulator_disable(const struct device *dev);
int regulator_set_voltage(const struct device *dev, int32_t min_uv, int32_t max_uv);
#endif
