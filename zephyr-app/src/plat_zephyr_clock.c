/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Zephyr port: the SCMI clock operations (vbe/plat.h) on Zephyr's clock_control API.
 *
 * Platform clock N is the child node with reg = <N> of the enabled vbe,scmi-clocks node
 * (zephyr-app/dts/bindings; `vbe gen` writes it from the description's zephyr: hookups):
 *
 *   scmi-clocks {
 *           compatible = "vbe,scmi-clocks";
 *           #address-cells = <1>;
 *           #size-cells = <0>;
 *           clock@2 { reg = <2>; clocks = <&cru 12>; subsys-cell = "id"; };
 *   };
 *
 * The table is built at compile time (no heap), indexed by platform id; an id without a
 * node has a NULL device and its ops return -ENOSYS, which the core answers as
 * NOT_SUPPORTED. The core arbitrates between agents: clock_control_on/off() are called on
 * the first vote on and the last vote off only. Every op runs on the service thread
 * (clock_control_on() and _set_rate() may sleep).
 */

#include "port_zephyr.h"

#include <errno.h>
#include <stddef.h>
#include <stdint.h>

#include <zephyr/device.h>
#include <zephyr/devicetree.h>
#include <zephyr/sys/util.h>

#if defined(CONFIG_VBE_SCMI_CLOCKS)
#include <zephyr/drivers/clock_control.h>
#endif

#include <vbe/plat.h>
#include <vbe/sys.h>

#include "vbe_zephyr.h"

/* ---- clocks: clock_control ------------------------------------------------------------ */

#if defined(CONFIG_VBE_SCMI_CLOCKS)

struct vbe_zephyr_clock {
	const struct device *dev;
	clock_control_subsys_t subsys;
};

/*
 * The subsystem is the clocks specifier's cell that subsys-cell names (the controller's
 * binding names its cells); a controller without cells (a fixed clock) gets NULL.
 */
#define VBE_ZEPHYR_CLOCK_SUBSYS(node)                                                              \
	COND_CODE_1(DT_NODE_HAS_PROP(node, subsys_cell),                                           \
		    ((clock_control_subsys_t)(uintptr_t)DT_CLOCKS_CELL(                            \
			    node, DT_STRING_TOKEN(node, subsys_cell))),                            \
		    (NULL))

#define VBE_ZEPHYR_CLOCK(node)                                                                     \
	[VBE_ZEPHYR_ID(node)] = {                                                                  \
		.dev = DEVICE_DT_GET(DT_CLOCKS_CTLR(node)),                                        \
		.subsys = VBE_ZEPHYR_CLOCK_SUBSYS(node),                                           \
	},

#define VBE_ZEPHYR_CLOCKS(parent) DT_FOREACH_CHILD_STATUS_OKAY(parent, VBE_ZEPHYR_CLOCK)

static const struct vbe_zephyr_clock vbe_zephyr_clocks[VBE_SCMI_MAX_CLOCKS] = {
	DT_FOREACH_STATUS_OKAY(vbe_scmi_clocks, VBE_ZEPHYR_CLOCKS)
};

static const struct vbe_zephyr_clock *vbe_zephyr_clock(uint16_t clk, int *rc)
{
	if (clk >= ARRAY_SIZE(vbe_zephyr_clocks)) {
		*rc = -EINVAL;
		return NULL;
	}
	*rc = vbe_zephyr_ready(vbe_zephyr_clocks[clk].dev);

	return (*rc == 0) ? &vbe_zephyr_clocks[clk] : NULL;
}

int vbe_zephyr_clock_on(void *ctx, uint16_t clk)
{
	int rc;
	const struct vbe_zephyr_clock *c = vbe_zephyr_clock(clk, &rc);

	ARG_UNUSED(ctx);

	return (c == NULL) ? rc : clock_control_on(c->dev, c->subsys);
}

int vbe_zephyr_clock_off(void *ctx, uint16_t clk)
{
	int rc;
	const struct vbe_zephyr_clock *c = vbe_zephyr_clock(clk, &rc);

	ARG_UNUSED(ctx);

	return (c == NULL) ? rc : clock_control_off(c->dev, c->subsys);
}

int vbe_zephyr_clock_set_rate(void *ctx, uint16_t clk, uint64_t rate_hz)
{
	int rc;
	const struct vbe_zephyr_clock *c = vbe_zephyr_clock(clk, &rc);

	ARG_UNUSED(ctx);

	if (c == NULL) {
		return rc;
	}
	if (rate_hz > UINT32_MAX) {
		return -ERANGE; /* clock_control counts Hz in 32 bits (get_rate's uint32_t) */
	}

	/* The rate argument is opaque; drivers that set rates take Hz cast to a pointer. */
	rc = clock_control_set_rate(c->dev, c->subsys,
				    (clock_control_subsys_rate_t)(uintptr_t)rate_hz);

	return (rc == -EALREADY) ? 0 : rc; /* already at that rate */
}

int vbe_zephyr_clock_get_rate(void *ctx, uint16_t clk, uint64_t *rate_hz)
{
	int rc;
	uint32_t hz = 0U;
	const struct vbe_zephyr_clock *c = vbe_zephyr_clock(clk, &rc);

	ARG_UNUSED(ctx);

	if (c == NULL) {
		return rc;
	}
	if (rate_hz == NULL) {
		return -EINVAL;
	}

	rc = clock_control_get_rate(c->dev, c->subsys, &hz);
	if (rc == 0) {
		*rate_hz = hz;
	}

	return rc;
}

const struct device *vbe_zephyr_clock_dev(uint16_t id)
{
	return (id < ARRAY_SIZE(vbe_zephyr_clocks)) ? vbe_zephyr_clocks[id].dev : NULL;
}

#else /* !CONFIG_VBE_SCMI_CLOCKS */

const struct device *vbe_zephyr_clock_dev(uint16_t id)
{
	ARG_UNUSED(id);
	return NULL;
}

#endif /* CONFIG_VBE_SCMI_CLOCKS */
