/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Zephyr port internals shared by main.c and the platform files. Not part of the core.
 *
 * The platform (struct vbe_plat) is assembled in plat_zephyr.c from the ops of
 * plat_zephyr_i2c.c (I2C), plat_zephyr_clock.c (clocks), plat_zephyr_power.c (power
 * domains), plat_zephyr_reset.c (reset lines), plat_zephyr_regulator.c (regulators) and
 * plat_zephyr_sensor.c (sensors). An SCMI op whose kind has no devicetree
 * hookup node (vbe,scmi-clocks, ...; see zephyr/dts/bindings) is compiled out and left
 * NULL, so the core answers NOT_SUPPORTED for it. The lookups below for the boot report
 * (vbe_zephyr_<kind>_dev() and _hooked()) exist only for a kind that is hooked up.
 */

#ifndef VBE_ZEPHYR_H
#define VBE_ZEPHYR_H

#include "port_zephyr.h"

#include <errno.h>
#include <stdbool.h>
#include <stdint.h>

#include <zephyr/device.h>
#include <zephyr/devicetree.h>

#include <vbe/plat.h>
#include <vbe/sys.h>

/** I2C buses the port can name: devicetree chosen nodes vbe,i2c-bus0 .. vbe,i2c-bus3. */
#define VBE_ZEPHYR_I2C_BUSES 4

/**
 * @brief Check the platform against a system description and hand it out.
 *
 * Logs, for every bus the description names, the Zephyr device that serves it, and for
 * every SCMI resource kind how many resources have a Zephyr device behind them. A bus or
 * resource without a ready device is reported and left in place: requests on it fail, and
 * the guests using it get an error status, while the other guests are served.
 *
 * @param cfg system description.
 * @param plat set to the Zephyr platform (static storage).
 * @retval 0 done.
 * @retval -EINVAL NULL argument.
 */
int vbe_zephyr_plat_init(const struct vbe_sys_cfg *cfg, const struct vbe_plat **plat);

/* plat_zephyr_i2c.c */

/** vbe_plat_ops.i2c_transfer on i2c_transfer(). */
int vbe_zephyr_i2c_transfer(void *ctx, uint8_t bus, struct vbe_i2c_msg *msgs, uint8_t num_msgs,
			    uint16_t addr);

/** Log the Zephyr device behind each bus of @p cfg. */
void vbe_zephyr_i2c_report(const struct vbe_sys_cfg *cfg);

/* Child @p node of a vbe,scmi-<kind> node is platform resource DT_REG_ADDR(node). */
#define VBE_ZEPHYR_ID(node) DT_REG_ADDR(node)

/*
 * Table initializers marking the platform ids a vbe,scmi-<kind> node hooks up, whether or
 * not the device node they name is enabled: DT_FOREACH_STATUS_OKAY(compat, VBE_ZEPHYR_HOOKED).
 */
#define VBE_ZEPHYR_HOOKED_CHILD(node) [VBE_ZEPHYR_ID(node)] = true,
#define VBE_ZEPHYR_HOOKED(parent)     DT_FOREACH_CHILD_STATUS_OKAY(parent, VBE_ZEPHYR_HOOKED_CHILD)

/**
 * @brief Whether a hooked-up device can be used.
 *
 * @retval 0 ready.
 * @retval -ENOSYS @p dev is NULL: no devicetree hookup, or one naming a node that is not
 *         enabled (the core answers NOT_SUPPORTED).
 * @retval -EIO the driver failed to initialize (HARDWARE_ERROR, not "no such resource").
 */
static inline int vbe_zephyr_ready(const struct device *dev)
{
	if (dev == NULL) {
		return -ENOSYS;
	}

	return device_is_ready(dev) ? 0 : -EIO;
}

/* plat_zephyr_clock.c: vbe_plat_ops on clock_control. */

int vbe_zephyr_clock_on(void *ctx, uint16_t clk);
int vbe_zephyr_clock_off(void *ctx, uint16_t clk);
int vbe_zephyr_clock_set_rate(void *ctx, uint16_t clk, uint64_t rate_hz);
int vbe_zephyr_clock_get_rate(void *ctx, uint16_t clk, uint64_t *rate_hz);

/** The clock controller behind platform clock @p id, or NULL (for the boot report). */
const struct device *vbe_zephyr_clock_dev(uint16_t id);

/** Whether a vbe,scmi-clocks child names platform clock @p id. */
bool vbe_zephyr_clock_hooked(uint16_t id);

/** Log each hooked-up clock whose controller the port refuses to drive. */
void vbe_zephyr_clock_report(void);

/* plat_zephyr_power.c: vbe_plat_ops.power_set_state on device runtime PM. */
int vbe_zephyr_power_set_state(void *ctx, uint16_t pd, uint32_t state);

/** The power domain device behind platform domain @p id, or NULL (for the boot report). */
const struct device *vbe_zephyr_power_dev(uint16_t id);

/** Whether a vbe,scmi-power-domains child names platform domain @p id. */
bool vbe_zephyr_power_hooked(uint16_t id);

/* plat_zephyr_reset.c: vbe_plat_ops on the reset API. */
int vbe_zephyr_reset_assert(void *ctx, uint16_t line);
int vbe_zephyr_reset_deassert(void *ctx, uint16_t line);

/** The reset controller behind platform reset line @p id, or NULL (for the boot report). */
const struct device *vbe_zephyr_reset_dev(uint16_t id);

/** Whether a vbe,scmi-resets child names platform reset line @p id. */
bool vbe_zephyr_reset_hooked(uint16_t id);

/* plat_zephyr_regulator.c: vbe_plat_ops on the regulator API. */
int vbe_zephyr_regulator_enable(void *ctx, uint16_t reg);
int vbe_zephyr_regulator_disable(void *ctx, uint16_t reg);
int vbe_zephyr_regulator_set_voltage(void *ctx, uint16_t reg, int32_t min_uv, int32_t max_uv);

/** The regulator behind platform regulator @p id, or NULL (for the boot report). */
const struct device *vbe_zephyr_regulator_dev(uint16_t id);

/** Whether a vbe,scmi-regulators child names platform regulator @p id. */
bool vbe_zephyr_regulator_hooked(uint16_t id);

/** SCMI resource kinds the port hooks up to Zephyr devices. */
enum vbe_zephyr_kind {
	VBE_ZEPHYR_CLOCKS,
	VBE_ZEPHYR_POWER_DOMAINS,
	VBE_ZEPHYR_RESETS,
	VBE_ZEPHYR_REGULATORS,
	VBE_ZEPHYR_SENSORS,
	VBE_ZEPHYR_KIND_COUNT,
};

/* plat_zephyr_sensor.c: vbe_plat_ops.sensor_read on sensor_sample_fetch/_channel_get. */

int vbe_zephyr_sensor_read(void *ctx, uint16_t sensor, int64_t *value);

/** The sensor device behind platform sensor @p id, or NULL (for the boot report). */
const struct device *vbe_zephyr_sensor_dev(uint16_t id);

/** Whether a vbe,scmi-sensors child names platform sensor @p id. */
bool vbe_zephyr_sensor_hooked(uint16_t id);

/**
 * @brief Take each sensor's unit and scale from @p scmi and check them against the channel.
 *
 * A sensor whose SCMI unit is not its Zephyr channel's unit, or that two SCMI sensors
 * describe with different scales, is reported and reads -ENOTSUP.
 */
void vbe_zephyr_sensor_setup(const struct vbe_scmi_platform_cfg *scmi);

/**
 * @brief @p v (a Zephyr sensor_value in the channel's SI unit) in units of 10^@p scale.
 *
 * Truncates toward zero, as Zephyr's sensor_value_to_milli() does.
 *
 * @retval 0 done.
 * @retval -ERANGE the value does not fit an int64_t at that scale.
 */
int vbe_zephyr_sensor_scale(int32_t val1, int32_t val2, int8_t scale, int64_t *out);

#endif /* VBE_ZEPHYR_H */
