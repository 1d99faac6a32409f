/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Zephyr port: the SCMI power domain operations (vbe/plat.h) on Zephyr's device runtime PM.
 *
 * Platform power domain N is the child node with reg = <N> of the enabled
 * vbe,scmi-power-domains node (zephyr/dts/bindings; `vbe gen` writes it from the
 * description's zephyr: hookups). The tables are built at compile time (no heap), indexed
 * by platform id; an id without a node, or whose device node is not enabled
 * (DEVICE_DT_GET_OR_NULL), has a NULL device and its ops return -ENOSYS, which the core
 * answers as NOT_SUPPORTED. The core calls on/off only on the first vote on and
 * the last vote off; the held flags make that exact even so, because runtime PM is
 * reference counted and must stay balanced. Every op runs on the service thread.
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

#include <vbe/plat.h>
#include <vbe/sys.h>

#include "vbe_zephyr.h"

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

const struct device *vbe_zephyr_power_dev(uint16_t id)
{
	return (id < ARRAY_SIZE(vbe_zephyr_domains)) ? vbe_zephyr_domains[id] : NULL;
}

bool vbe_zephyr_power_hooked(uint16_t id)
{
	return (id < ARRAY_SIZE(vbe_zephyr_domains_hooked)) && vbe_zephyr_domains_hooked[id];
}

#endif /* CONFIG_VBE_SCMI_POWER_DOMAINS */
