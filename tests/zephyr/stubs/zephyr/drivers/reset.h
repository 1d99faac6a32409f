/* SPDX-License-Identifier: Apache-2.0 */
/* Stand-in for include/zephyr/drivers/reset.h: struct reset_dt_spec {dev, id},
 * RESET_DT_SPEC_GET(node_id) (which names the controller with DEVICE_DT_GET, as Zephyr's
 * does), reset_line_assert_dt/deassert_dt(const struct reset_dt_spec *). */
#ifndef STUB_ZEPHYR_DRIVERS_RESET_H
#define STUB_ZEPHYR_DRIVERS_RESET_H
#include <stdint.h>

#include <zephyr/device.h>

struct reset_dt_spec {
	const struct device *dev;
	uint32_t id;
};

#define RESET_DT_SPEC_GET_BY_IDX(node_id, idx)                                                     \
	{                                                                                          \
		.dev = DEVICE_DT_GET(DT_PHANDLE_BY_IDX(node_id, resets, idx)),                     \
		.id = DT_PHA_BY_IDX(node_id, resets, idx, id),                                     \
	}
#define RESET_DT_SPEC_GET(node_id) RESET_DT_SPEC_GET_BY_IDX(node_id, 0)

int reset_line_assert_dt(const struct reset_dt_spec *spec);
int reset_line_deassert_dt(const struct reset_dt_spec *spec);
#endif
