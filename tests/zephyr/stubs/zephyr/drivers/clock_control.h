/* SPDX-License-Identifier: Apache-2.0 */
/* Stand-in for include/zephyr/drivers/clock_control.h: the types and the calls the port
 * makes (static inline in Zephyr, declared here). Return: 0 or a negative errno;
 * set_rate may return -EALREADY (already at that rate); get_rate counts Hz in a uint32_t. */
#ifndef STUB_ZEPHYR_DRIVERS_CLOCK_CONTROL_H
#define STUB_ZEPHYR_DRIVERS_CLOCK_CONTROL_H
#include <stdint.h>

#include <zephyr/device.h>

typedef void *clock_control_subsys_t;
typedef void *clock_control_subsys_rate_t;

int clock_control_on(const struct device *dev, clock_control_subsys_t sys);
int clock_control_off(const struct device *dev, clock_control_subsys_t sys);
int clock_control_get_rate(const struct device *dev, clock_control_subsys_t sys, uint32_t *rate);
int clock_control_set_rate(const struct device *dev, clock_control_subsys_t sys,
			   clock_control_subsys_rate_t rate);
#endif
