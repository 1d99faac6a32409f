/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Zephyr port: the SCMI clock operations (vbe/plat.h) on Zephyr's clock_control API.
 *
 * Platform clock N is the child node with reg = <N> of the enabled vbe,scmi-clocks node
 * (zephyr/dts/bindings; `vbe gen` writes it from the description's zephyr: hookups):
 *
 *   scmi-clocks {
 *           compatible = "vbe,scmi-clocks";
 *           #address-cells = <1>;
 *           #size-cells = <0>;
 *           clock@2 { reg = <2>; clocks = <&scmi_clk 12>; subsys-cell = "name"; };
 *   };
 *
 * The table is built at compile time (no heap), indexed by platform id; an id without a
 * node, or whose controller node is not enabled (DEVICE_DT_GET_OR_NULL: a disabled node has
 * no device object to name), has a NULL device and its ops return -ENOSYS, which the core
 * answers as NOT_SUPPORTED. The core arbitrates between agents: clock_control_on/off() are
 * called on the first vote on and the last vote off only. Every op runs on the service
 * thread (clock_control_on() and _set_rate() may sleep).
 */

#include "port_zephyr.h"

#include <errno.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <zephyr/device.h>
#include <zephyr/devicetree.h>
#include <zephyr/logging/log.h>
#include <zephyr/sys/util.h>

#if defined(CONFIG_VBE_SCMI_CLOCKS)
#include <zephyr/drivers/clock_control.h>
#endif

#include <vbe/plat.h>
#include <vbe/sys.h>

#include "vbe_zephyr.h"

LOG_MODULE_DECLARE(vbe, CONFIG_VBE_LOG_LEVEL);

/* ---- clocks: clock_control ------------------------------------------------------------ */

#if defined(CONFIG_VBE_SCMI_CLOCKS)

/*
 * What clock_control_subsys_t and clock_control_subsys_rate_t mean is the controller
 * driver's business: some take integers cast to pointers, others (STM32's struct
 * stm32_pclken, Infineon's) dereference them as pointers to their own structs, where an
 * integer would be read as an address. So the port drives only the controllers in this
 * table, each checked in its Zephyr driver, and refuses the others (-ENOTSUP: NOT_SUPPORTED,
 * and a line in the boot log):
 *
 * - arm,scmi-clock (drivers/clock_control/clock_control_arm_scmi.c): the subsystem is the
 *   clock id, POINTER_TO_UINT(sys), the specifier's one cell ("name" in
 *   dts/bindings/firmware/arm,scmi-clock.yaml); the rate is Hz, (uintptr_t)rate.
 * - fixed-clock (drivers/clock_control/clock_control_fixed_rate.c): no cells, the subsystem is
 *   ignored (NULL here); on/off do nothing, get_rate reads clock-frequency, and there is no
 *   set_rate (-ENOTSUP here, as clock_control_set_rate() would answer -ENOSYS).
 */
enum vbe_zephyr_clock_enc {
	VBE_ZEPHYR_CLOCK_REFUSED, /* a controller the port does not know how to drive */
	VBE_ZEPHYR_CLOCK_ID_HZ,   /* subsystem: a cell as an integer; rate: Hz as an integer */
	VBE_ZEPHYR_CLOCK_FIXED,   /* subsystem: NULL; rate: read only */
};

struct vbe_zephyr_clock {
	const struct device *dev;      /* NULL: no hookup, or the controller is not enabled */
	clock_control_subsys_t subsys;
	const char *ctlr;              /* the controller's node name and compatible, for logs */
	const char *compat;
	uint8_t enc;                   /* enum vbe_zephyr_clock_enc */
	bool hooked;                   /* a vbe,scmi-clocks child names this clock */
};

#define VBE_ZEPHYR_CLOCK_ENC(ctl)                                                                 \
	COND_CODE_1(DT_NODE_HAS_COMPAT(ctl, arm_scmi_clock), (VBE_ZEPHYR_CLOCK_ID_HZ),            \
		    (COND_CODE_1(DT_NODE_HAS_COMPAT(ctl, fixed_clock), (VBE_ZEPHYR_CLOCK_FIXED),  \
				 (VBE_ZEPHYR_CLOCK_REFUSED))))

/* The subsystem: the cell subsys-cell names (the controller's binding names its cells). */
#define VBE_ZEPHYR_CLOCK_SUBSYS(node, ctl)                                                        \
	COND_CODE_1(DT_NODE_HAS_COMPAT(ctl, arm_scmi_clock),                                      \
		    ((clock_control_subsys_t)(uintptr_t)DT_CLOCKS_CELL(                            \
			    node, DT_STRING_TOKEN(node, subsys_cell))),                            \
		    (NULL))

#define VBE_ZEPHYR_CLOCK_COMPAT(ctl)                                                              \
	COND_CODE_1(DT_NODE_HAS_PROP(ctl, compatible), (DT_PROP_BY_IDX(ctl, compatible, 0)),     \
		    ("(none)"))

#define VBE_ZEPHYR_CLOCK_ENTRY(node, ctl)                                                         \
	[VBE_ZEPHYR_ID(node)] = {                                                                  \
		.dev = DEVICE_DT_GET_OR_NULL(ctl),                                                \
		.subsys = VBE_ZEPHYR_CLOCK_SUBSYS(node, ctl),                                     \
		.ctlr = DT_NODE_FULL_NAME(ctl),                                                   \
		.compat = VBE_ZEPHYR_CLOCK_COMPAT(ctl),                                           \
		.enc = VBE_ZEPHYR_CLOCK_ENC(ctl),                                                 \
		.hooked = true,                                                                    \
	},

#define VBE_ZEPHYR_CLOCK(node) VBE_ZEPHYR_CLOCK_ENTRY(node, DT_CLOCKS_CTLR(node))

#define VBE_ZEPHYR_CLOCKS(parent) DT_FOREACH_CHILD_STATUS_OKAY(parent, VBE_ZEPHYR_CLOCK)

static const struct vbe_zephyr_clock vbe_zephyr_clocks[VBE_SCMI_MAX_CLOCKS] = {
	DT_FOREACH_STATUS_OKAY(vbe_scmi_clocks, VBE_ZEPHYR_CLOCKS)
};

/* A controller taking an integer subsystem needs subsys-cell to say which cell it is. */
#define VBE_ZEPHYR_CLOCK_CHECK(node)                                                               \
	BUILD_ASSERT(!DT_NODE_HAS_COMPAT(DT_CLOCKS_CTLR(node), arm_scmi_clock) ||                  \
			     DT_NODE_HAS_PROP(node, subsys_cell),                                  \
		     "a vbe,scmi-clocks child on an arm,scmi-clock controller needs subsys-cell");

#define VBE_ZEPHYR_CLOCKS_CHECK(parent) DT_FOREACH_CHILD_STATUS_OKAY(parent, VBE_ZEPHYR_CLOCK_CHECK)

DT_FOREACH_STATUS_OKAY(vbe_scmi_clocks, VBE_ZEPHYR_CLOCKS_CHECK)

static const struct vbe_zephyr_clock *vbe_zephyr_clock(uint16_t clk, int *rc)
{
	const struct vbe_zephyr_clock *c;

	if (clk >= ARRAY_SIZE(vbe_zephyr_clocks)) {
		*rc = -EINVAL;
		return NULL;
	}
	c = &vbe_zephyr_clocks[clk];
	*rc = vbe_zephyr_ready(c->dev);
	if ((*rc == 0) && (c->enc == VBE_ZEPHYR_CLOCK_REFUSED)) {
		*rc = -ENOTSUP; /* logged once at boot (vbe_zephyr_clock_report) */
	}

	return (*rc == 0) ? c : NULL;
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
	if (c->enc != VBE_ZEPHYR_CLOCK_ID_HZ) {
		return -ENOTSUP; /* a fixed clock has no rate to set */
	}
	if (rate_hz > UINT32_MAX) {
		return -ERANGE; /* clock_control counts Hz in 32 bits (get_rate's uint32_t) */
	}

	/* The table's controllers take Hz cast to the opaque rate type. */
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

bool vbe_zephyr_clock_hooked(uint16_t id)
{
	return (id < ARRAY_SIZE(vbe_zephyr_clocks)) && vbe_zephyr_clocks[id].hooked;
}

void vbe_zephyr_clock_report(void)
{
	for (size_t i = 0U; i < ARRAY_SIZE(vbe_zephyr_clocks); i++) {
		const struct vbe_zephyr_clock *c = &vbe_zephyr_clocks[i];

		if (c->hooked && (c->enc == VBE_ZEPHYR_CLOCK_REFUSED)) {
			LOG_ERR("clock %u: controller %s (compatible \"%s\") is not one the port "
				"knows how to drive (arm,scmi-clock, fixed-clock); it answers "
				"NOT_SUPPORTED",
				(unsigned int)i, c->ctlr, c->compat);
		}
	}
}

#else /* !CONFIG_VBE_SCMI_CLOCKS */

void vbe_zephyr_clock_report(void)
{
}

#endif /* CONFIG_VBE_SCMI_CLOCKS */
