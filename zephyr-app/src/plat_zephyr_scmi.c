/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Zephyr port: the SCMI platform operations (vbe/plat.h) for power domains, reset lines and
 * regulators, on Zephyr's device runtime PM, reset and regulator APIs. Clocks are in
 * plat_zephyr_clock.c, sensors in plat_zephyr_sensor.c.
 *
 * Platform resource N of a kind is the child node with reg = <N> of the enabled
 * vbe,scmi-<kind> node (zephyr/dts/bindings; `vbe gen` writes them from the
 * description's zephyr: hookups):
 *
 *   scmi-resets {
 *           compatible = "vbe,scmi-resets";
 *           #address-cells = <1>;
 *           #size-cells = <0>;
 *           reset@3 { reg = <3>; resets = <&rstc 4>; };
 *   };
 *
 * The tables are built at compile time (no heap), indexed by platform id; an id without a
 * node, or whose device node is not enabled (DEVICE_DT_GET_OR_NULL), has a NULL device and
 * its ops return -ENOSYS, which the core answers as NOT_SUPPORTED. The core arbitrates between agents and calls on/off only on the first
 * vote on and the last vote off; the held flags below make that exact even so, because
 * Zephyr's regulator and runtime PM calls are reference counted and must stay balanced.
 * Every op runs on the service thread (the APIs used may sleep).
 */

#include "port_zephyr.h"

#include <errno.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <zephyr/device.h>
#include <zephyr/devicetree.h>
#include <zephyr/sys/util.h>

#if defined(CONFIG_VBE_SCMI_POWER_DOMAINS)
#include <zephyr/pm/device_runtime.h>
#endif
#if defined(CONFIG_VBE_SCMI_RESETS)
#include <zephyr/drivers/reset.h>
#endif
#if defined(CONFIG_VBE_SCMI_REGULATORS)
#include <zephyr/drivers/regulator.h>
#endif

#include <vbe/plat.h>
#include <vbe/sys.h>

#include "vbe_zephyr.h"

/* ---- power domains: device runtime PM ------------------------------------------------- */

#if defined(CONFIG_VBE_SCMI_POWER_DOMAINS)

/*
 * A domain is a Zephyr power-domain device. Guests vote through pm_device_runtime_get/put,
 * so their vote is one more user of the domain next to the Zephyr devices in it: a guest
 * switching its domain off does not cut power under a device Zephyr still uses.
 */
#define VBE_ZEPHYR_DOMAIN(node)                                                                    \
	[VBE_ZEPHYR_ID(node)] = DEVICE_DT_GET_OR_NULL(DT_PHANDLE(node, domain)),

#define VBE_ZEPHYR_DOMAINS(parent) DT_FOREACH_CHILD_STATUS_OKAY(parent, VBE_ZEPHYR_DOMAIN)

static const struct device *const vbe_zephyr_domains[VBE_SCMI_MAX_POWER] = {
	DT_FOREACH_STATUS_OKAY(vbe_scmi_power_domains, VBE_ZEPHYR_DOMAINS)
};

static const bool vbe_zephyr_domains_hooked[ARRAY_SIZE(vbe_zephyr_domains)] = {
	DT_FOREACH_STATUS_OKAY(vbe_scmi_power_domains, VBE_ZEPHYR_HOOKED)
};

/* Domains this port holds a runtime PM reference on. */
static bool vbe_zephyr_domain_held[ARRAY_SIZE(vbe_zephyr_domains)];

int vbe_zephyr_power_set_state(void *ctx, uint16_t pd, uint32_t state)
{
	const struct device *dev;
	bool on;
	int rc;

	ARG_UNUSED(ctx);

	if ((pd >= ARRAY_SIZE(vbe_zephyr_domains)) ||
	    ((state != VBE_PLAT_POWER_ON) && (state != VBE_PLAT_POWER_OFF))) {
		return -EINVAL;
	}
	dev = vbe_zephyr_domains[pd];
	rc = vbe_zephyr_ready(dev);
	if (rc != 0) {
		return rc;
	}

	on = (state == VBE_PLAT_POWER_ON);
	if (on == vbe_zephyr_domain_held[pd]) {
		return 0;
	}
	if (!pm_device_runtime_is_enabled(dev)) {
		/* get/put would return 0 and do nothing: say so rather than lie. */
		return -ENOTSUP;
	}

	rc = on ? pm_device_runtime_get(dev) : pm_device_runtime_put(dev);
	if (rc == 0) {
		vbe_zephyr_domain_held[pd] = on;
	}

	return rc;
}

#endif /* CONFIG_VBE_SCMI_POWER_DOMAINS */

/* ---- reset lines: reset controller ---------------------------------------------------- */

#if defined(CONFIG_VBE_SCMI_RESETS)

/*
 * RESET_DT_SPEC_GET() names the controller with DEVICE_DT_GET(), which does not compile for
 * a controller that is not enabled; the spec is spelled out with DEVICE_DT_GET_OR_NULL().
 */
#define VBE_ZEPHYR_RESET(node)                                                                     \
	[VBE_ZEPHYR_ID(node)] = {                                                                  \
		.dev = DEVICE_DT_GET_OR_NULL(DT_RESET_CTLR(node)),                                 \
		.id = DT_RESET_ID(node),                                                           \
	},

#define VBE_ZEPHYR_RESETS(parent) DT_FOREACH_CHILD_STATUS_OKAY(parent, VBE_ZEPHYR_RESET)

static const struct reset_dt_spec vbe_zephyr_resets[VBE_SCMI_MAX_RESETS] = {
	DT_FOREACH_STATUS_OKAY(vbe_scmi_resets, VBE_ZEPHYR_RESETS)
};

static const bool vbe_zephyr_resets_hooked[ARRAY_SIZE(vbe_zephyr_resets)] = {
	DT_FOREACH_STATUS_OKAY(vbe_scmi_resets, VBE_ZEPHYR_HOOKED)
};

static const struct reset_dt_spec *vbe_zephyr_reset(uint16_t line, int *rc)
{
	if (line >= ARRAY_SIZE(vbe_zephyr_resets)) {
		*rc = -EINVAL;
		return NULL;
	}
	*rc = vbe_zephyr_ready(vbe_zephyr_resets[line].dev);

	return (*rc == 0) ? &vbe_zephyr_resets[line] : NULL;
}

int vbe_zephyr_reset_assert(void *ctx, uint16_t line)
{
	int rc;
	const struct reset_dt_spec *spec = vbe_zephyr_reset(line, &rc);

	ARG_UNUSED(ctx);

	return (spec == NULL) ? rc : reset_line_assert_dt(spec);
}

int vbe_zephyr_reset_deassert(void *ctx, uint16_t line)
{
	int rc;
	const struct reset_dt_spec *spec = vbe_zephyr_reset(line, &rc);

	ARG_UNUSED(ctx);

	return (spec == NULL) ? rc : reset_line_deassert_dt(spec);
}

#endif /* CONFIG_VBE_SCMI_RESETS */

/* ---- voltage domains: regulators ------------------------------------------------------ */

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

#endif /* CONFIG_VBE_SCMI_REGULATORS */

/* ---- lookup for the boot report ------------------------------------------------------ */

const struct device *vbe_zephyr_scmi_dev(enum vbe_zephyr_kind kind, uint16_t id)
{
	ARG_UNUSED(id); /* when no kind but clocks is hooked up */

	switch (kind) {
	case VBE_ZEPHYR_CLOCKS:
		return vbe_zephyr_clock_dev(id);
	case VBE_ZEPHYR_SENSORS:
		return vbe_zephyr_sensor_dev(id);
#if defined(CONFIG_VBE_SCMI_POWER_DOMAINS)
	case VBE_ZEPHYR_POWER_DOMAINS:
		return (id < ARRAY_SIZE(vbe_zephyr_domains)) ? vbe_zephyr_domains[id] : NULL;
#endif
#if defined(CONFIG_VBE_SCMI_RESETS)
	case VBE_ZEPHYR_RESETS:
		return (id < ARRAY_SIZE(vbe_zephyr_resets)) ? vbe_zephyr_resets[id].dev : NULL;
#endif
#if defined(CONFIG_VBE_SCMI_REGULATORS)
	case VBE_ZEPHYR_REGULATORS:
		return (id < ARRAY_SIZE(vbe_zephyr_regulators)) ? vbe_zephyr_regulators[id] : NULL;
#endif
	default:
		return NULL;
	}
}

bool vbe_zephyr_scmi_hooked(enum vbe_zephyr_kind kind, uint16_t id)
{
	ARG_UNUSED(id);

	switch (kind) {
	case VBE_ZEPHYR_CLOCKS:
		return vbe_zephyr_clock_hooked(id);
	case VBE_ZEPHYR_SENSORS:
		return vbe_zephyr_sensor_hooked(id);
#if defined(CONFIG_VBE_SCMI_POWER_DOMAINS)
	case VBE_ZEPHYR_POWER_DOMAINS:
		return (id < ARRAY_SIZE(vbe_zephyr_domains_hooked)) && vbe_zephyr_domains_hooked[id];
#endif
#if defined(CONFIG_VBE_SCMI_RESETS)
	case VBE_ZEPHYR_RESETS:
		return (id < ARRAY_SIZE(vbe_zephyr_resets_hooked)) && vbe_zephyr_resets_hooked[id];
#endif
#if defined(CONFIG_VBE_SCMI_REGULATORS)
	case VBE_ZEPHYR_REGULATORS:
		return (id < ARRAY_SIZE(vbe_zephyr_regulators_hooked)) &&
		       vbe_zephyr_regulators_hooked[id];
#endif
	default:
		return false;
	}
}
