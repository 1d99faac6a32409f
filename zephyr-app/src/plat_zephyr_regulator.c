/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Zephyr port: the SCMI voltage domain operations (vbe/plat.h) on Zephyr's regulator API.
 *
 * Platform regulator N is the child node with reg = <N> of the enabled vbe,scmi-regulators
 * node (zephyr/dts/bindings; `vbe gen` writes it from the description's zephyr: hookups).
 * The table is built at compile time (no heap), indexed by platform id; an id without a
 * node, or whose device node is not enabled (DEVICE_DT_GET_OR_NULL), has a NULL device and
 * its ops return -ENOSYS, which the core answers as NOT_SUPPORTED. The core calls
 * enable/disable only on the first vote on and the last vote off; the held flags make that
 * exact even so, because regulator_enable/disable are reference counted and must stay
 * balanced. Every op runs on the service thread.
 */

#include "port_zephyr.h"

#include <errno.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <zephyr/device.h>
#include <zephyr/devicetree.h>
#include <zephyr/sys/util.h>

#if defined(CONFIG_VBE_SCMI_REGULATORS)
#include <zephyr/drivers/regulator.h>
#endif

#include <vbe/plat.h>
#include <vbe/sys.h>

#include "vbe_zephyr.h"

#if defined(CONFIG_VBE_SCMI_REGULATORS)

#define VBE_ZEPHYR_REGULATOR(node)                                                                 \
	[VBE_ZEPHYR_ID(node)] = DEVICE_DT_GET_OR_NULL(DT_PHANDLE(node, regulator)),

#define VBE_ZEPHYR_REGULATORS(parent) DT_FOREACH_CHILD_STATUS_OKAY(parent, VBE_ZEPHYR_REGULATOR)

static const struct device *const vbe_zephyr_regulators[VBE_SCMI_MAX_VOLTAGE] = {
	DT_FOREACH_STATUS_OKAY(vbe_scmi_regulators, VBE_ZEPHYR_REGULATORS)
};

static const bool vbe_zephyr_regulators_hooked[ARRAY_SIZE(vbe_zephyr_regulators)] = {
	DT_FOREACH_STATUS_OKAY(vbe_scmi_regulators, VBE_ZEPHYR_HOOKED)
};

/* Regulators this port enabled: regulator_disable() at most once per regulator_enable(). */
static bool vbe_zephyr_regulator_held[ARRAY_SIZE(vbe_zephyr_regulators)];

static const struct device *vbe_zephyr_regulator(uint16_t reg, int *rc)
{
	if (reg >= ARRAY_SIZE(vbe_zephyr_regulators)) {
		*rc = -EINVAL;
		return NULL;
	}
	*rc = vbe_zephyr_ready(vbe_zephyr_regulators[reg]);

	return (*rc == 0) ? vbe_zephyr_regulators[reg] : NULL;
}

int vbe_zephyr_regulator_enable(void *ctx, uint16_t reg)
{
	int rc;
	const struct device *dev = vbe_zephyr_regulator(reg, &rc);

	ARG_UNUSED(ctx);

	if (dev == NULL) {
		return rc;
	}
	if (vbe_zephyr_regulator_held[reg]) {
		return 0;
	}

	rc = regulator_enable(dev);
	if (rc == 0) {
		vbe_zephyr_regulator_held[reg] = true;
	}

	return rc;
}

int vbe_zephyr_regulator_disable(void *ctx, uint16_t reg)
{
	int rc;
	const struct device *dev = vbe_zephyr_regulator(reg, &rc);

	ARG_UNUSED(ctx);

	if (dev == NULL) {
		return rc;
	}
	if (!vbe_zephyr_regulator_held[reg]) {
		return 0;
	}

	rc = regulator_disable(dev);
	if (rc == 0) {
		vbe_zephyr_regulator_held[reg] = false;
	}

	return rc;
}

int vbe_zephyr_regulator_set_voltage(void *ctx, uint16_t reg, int32_t min_uv, int32_t max_uv)
{
	int rc;
	const struct device *dev = vbe_zephyr_regulator(reg, &rc);

	ARG_UNUSED(ctx);

	return (dev == NULL) ? rc : regulator_set_voltage(dev, min_uv, max_uv);
}

const struct device *vbe_zephyr_regulator_dev(uint16_t id)
{
	return (id < ARRAY_SIZE(vbe_zephyr_regulators)) ? vbe_zephyr_regulators[id] : NULL;
}

bool vbe_zephyr_regulator_hooked(uint16_t id)
{
	return (id < ARRAY_SIZE(vbe_zephyr_regulators_hooked)) && vbe_zephyr_regulators_hooked[id];
}

#endif /* CONFIG_VBE_SCMI_REGULATORS */
