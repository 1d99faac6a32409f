/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Stand-in for include/zephyr/device.h: struct device, device_is_ready(), DEVICE_DT_GET(),
 * DEVICE_DT_GET_OR_NULL(). As in Zephyr, the device object of a node is the global
 * __device_dts_ord_<ordinal>, and it is declared only for nodes with status okay
 * (DT_FOREACH_STATUS_OKAY_NODE), so DEVICE_DT_GET() of a node that is not enabled does not
 * compile ("__device_dts_ord_N undeclared"), and of an enabled node without a driver does
 * not link; DEVICE_DT_GET_OR_NULL() tests the status and gives NULL.
 */
#ifndef STUB_ZEPHYR_DEVICE_H
#define STUB_ZEPHYR_DEVICE_H
#include <stdbool.h>
#include <stddef.h>

#include <zephyr/devicetree.h>
#include <zephyr/sys/util.h>
#include <zephyr/toolchain.h>

struct device_state;

struct device {
	const char *name;
	const void *config;
	const void *api;
	struct device_state *state;
	void *data;
};

bool device_is_ready(const struct device *dev);

#define DEVICE_NAME_GET(dev_id)     _CONCAT(__device_, dev_id)
#define STUB_DEVICE_DT_DEV_ID(node) _CONCAT(dts_ord_, DT_DEP_ORD(node))
#define DEVICE_DT_NAME_GET(node_id) DEVICE_NAME_GET(STUB_DEVICE_DT_DEV_ID(node_id))
#define DEVICE_DT_GET(node_id)      (&DEVICE_DT_NAME_GET(node_id))
#define DEVICE_DT_GET_OR_NULL(node_id)                                                             \
	COND_CODE_1(DT_NODE_HAS_STATUS(node_id, okay), (DEVICE_DT_GET(node_id)), (NULL))

#define STUB_DEVICE_DECLARE(node_id) extern const struct device DEVICE_DT_NAME_GET(node_id);

DT_FOREACH_STATUS_OKAY_NODE(STUB_DEVICE_DECLARE)

#endif /* STUB_ZEPHYR_DEVICE_H */
