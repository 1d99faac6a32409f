/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Zephyr port: the SCMI reset domain operations (vbe/plat.h) on Zephyr's reset API.
 *
 * Platform reset line N is the child node with reg = <N> of the enabled vbe,scmi-resets
 * node (zephyr/dts/bindings; `vbe gen` writes it from the description's zephyr:
 * hookups):
 *
 *   scmi-resets {
 *           compatible = "vbe,scmi-resets";
 *           #address-cells = <1>;
 *           #size-cells = <0>;
 *           reset@3 { reg = <3>; resets = <&rstc 4>; };
 *   };
 *
 * The table is built at compile time (no heap), indexed by platform id; an id without a
 * node, or whose controller node is not enabled (DEVICE_DT_GET_OR_NULL), has a NULL device
 * and its ops return -ENOSYS, which the core answers as NOT_SUPPORTED. Every op runs on the
 * service thread.
 */

#include "port_zephyr.h"

#include <errno.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <zephyr/device.h>
#include <zephyr/devicetree.h>
#include <zephyr/sys/util.h>

#if defined(CONFIG_VBE_SCMI_RESETS)
#include <zephyr/drivers/reset.h>
#endif

#include <vbe/plat.h>
#include <vbe/sys.h>

#include "vbe_zephyr.h"

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

const struct device *vbe_zephyr_reset_dev(uint16_t id)
{
	return (id < ARRAY_SIZE(vbe_zephyr_resets)) ? vbe_zephyr_resets[id].dev : NULL;
}

bool vbe_zephyr_reset_hooked(uint16_t id)
{
	return (id < ARRAY_SIZE(vbe_zephyr_resets_hooked)) && vbe_zephyr_resets_hooked[id];
}

#endif /* CONFIG_VBE_SCMI_RESETS */
