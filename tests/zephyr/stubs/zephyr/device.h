/* SPDX-License-Identifier: Apache-2.0 */
/* Stand-in for include/zephyr/device.h: struct device (name, api, ...),
 * bool device_is_ready(const struct device *dev), DEVICE_DT_GET(node_id),
 * DEVICE_DT_GET_OR_NULL(node_id). */
#ifndef STUB_ZEPHYR_DEVICE_H
#define STUB_ZEPHYR_DEVICE_H
#include <stdbool.h>
#include <stddef.h>

#include <zephyr/devicetree.h>

struct device {
	const char *name;
	const void *config;
	const void *api;
	void *data;
};

bool device_is_ready(const struct device *dev);

/* The fake tree's nodes each have a device object named after the node identifier. */
#define DEVICE_DT_GET(node_id) (&UTIL_CAT(stub_dev_, node_id))
#define DEVICE_DT_GET_OR_NULL(node_id)                                                             \
	COND_CODE_1(DT_NODE_EXISTS(node_id), (DEVICE_DT_GET(node_id)), (NULL))

#endif
