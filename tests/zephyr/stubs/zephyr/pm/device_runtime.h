/* SPDX-License-Identifier: Apache-2.0 */
/* Stand-in for include/zephyr/pm/device_runtime.h: pm_device_runtime_get/put (0 also when
 * runtime PM is not enabled on the device), pm_device_runtime_is_enabled. */
#ifndef STUB_ZEPHYR_PM_DEVICE_RUNTIME_H
#define STUB_ZEPHYR_PM_DEVICE_RUNTIME_H
#include <stdbool.h>

#include <zephyr/device.h>

int pm_device_runtime_get(const struct device *dev);
int pm_device_runtime_put(const struct device *dev);
bool pm_device_runtime_is_enabled(const struct device *dev);
#endif
