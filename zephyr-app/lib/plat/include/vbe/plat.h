/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Platform operations: what the backends ask of the hardware.
 *
 * One const ops table per platform (Zephyr drivers, the simulated platform). An optional
 * op left NULL makes the wrapper return -ENOSYS. Shapes follow Zephyr's driver APIs so the
 * Zephyr port is a thin forwarder.
 */

#ifndef VBE_PLAT_H
#define VBE_PLAT_H

#include <errno.h>
#include <stddef.h>
#include <stdint.h>

/* I2C message flags: same bits and meaning as Zephyr's I2C_MSG_* (drivers/i2c.h). */
#define VBE_I2C_MSG_WRITE 0x00
#define VBE_I2C_MSG_READ 0x01
#define VBE_I2C_MSG_STOP 0x02
#define VBE_I2C_MSG_RESTART 0x04
#define VBE_I2C_MSG_ADDR_10_BITS 0x08

/** One I2C message; same layout as Zephyr's struct i2c_msg. */
struct vbe_i2c_msg {
	uint8_t *buf;
	uint32_t len;
	uint8_t flags;
};

/* Power domain states for power_set_state: SCMI's generic encoding (bit 30 = context lost). */
#define VBE_PLAT_POWER_ON 0x00000000U
#define VBE_PLAT_POWER_OFF 0x40000000U

/*
 * System power requests for system_request (SCMI system power states, DEN0056E 4.4): what a
 * guest asked for itself. A platform scopes them to the guest; it never powers off the host.
 */
#define VBE_PLAT_SYS_SHUTDOWN 0U
#define VBE_PLAT_SYS_COLD_RESET 1U
#define VBE_PLAT_SYS_WARM_RESET 2U
#define VBE_PLAT_SYS_POWER_UP 3U
#define VBE_PLAT_SYS_SUSPEND 4U

/*
 * Every op takes the platform's context and a platform resource id (the index the system
 * description gives the clock, domain, sensor, line or regulator). Every op but i2c_transfer
 * serves the SCMI server; all are optional: a NULL op makes its wrapper return -ENOSYS.
 * Ops return 0 or a negative errno (-EINVAL: no such resource or value, -EIO: the hardware
 * failed); they never block for long (a port defers slow work and reports completion later).
 */
struct vbe_plat_ops {
	/**
	 * Run @p num_msgs messages as one bus transaction to @p addr on bus @p bus:
	 * START, messages (RESTART where flagged), STOP after the message flagged STOP.
	 * Returns 0, or a negative errno (-EIO for a NACK) with no later message executed.
	 */
	int (*i2c_transfer)(void *ctx, uint8_t bus, struct vbe_i2c_msg *msgs, uint8_t num_msgs,
			    uint16_t addr);
	/** Gate a clock on / off (Zephyr clock_control_on / _off). */
	int (*clock_on)(void *ctx, uint16_t clk);
	int (*clock_off)(void *ctx, uint16_t clk);
	/** Set / read a clock's rate in Hz (clock_control_set_rate / _get_rate). */
	int (*clock_set_rate)(void *ctx, uint16_t clk, uint64_t rate_hz);
	int (*clock_get_rate)(void *ctx, uint16_t clk, uint64_t *rate_hz);
	/** Put a power domain in VBE_PLAT_POWER_ON or VBE_PLAT_POWER_OFF. */
	int (*power_set_state)(void *ctx, uint16_t pd, uint32_t state);
	/** Run a performance domain at @p level (a level of its operating point table). */
	int (*perf_set_level)(void *ctx, uint16_t dom, uint32_t level);
	/** Sample a sensor: its value in the sensor's unit and scale (sensor_sample_fetch+get). */
	int (*sensor_read)(void *ctx, uint16_t sensor, int64_t *value);
	/** Assert / release a reset line (reset_line_assert / _deassert). */
	int (*reset_assert)(void *ctx, uint16_t line);
	int (*reset_deassert)(void *ctx, uint16_t line);
	/** Switch a regulator on / off; set its output (regulator_enable/_disable/_set_voltage). */
	int (*regulator_enable)(void *ctx, uint16_t reg);
	int (*regulator_disable)(void *ctx, uint16_t reg);
	int (*regulator_set_voltage)(void *ctx, uint16_t reg, int32_t min_uv, int32_t max_uv);
	/**
	 * A guest (SCMI agent @p agent) asks to be shut down, reset or suspended:
	 * VBE_PLAT_SYS_*; @p flags bit 0 set = graceful. Scoped to that guest.
	 */
	int (*system_request)(void *ctx, uint16_t agent, uint32_t state, uint32_t flags);
};

/** A platform: its ops and their context. */
struct vbe_plat {
	const struct vbe_plat_ops *ops;
	void *ctx;
};

/**
 * @brief Run an I2C transaction on a platform bus.
 *
 * @retval 0 every message done.
 * @retval -ENOSYS the platform has no I2C.
 * @retval -EIO NACK or bus error; messages after the failing one did not run.
 * @retval other negative errno from the platform.
 */
static inline int vbe_plat_i2c_transfer(const struct vbe_plat *plat, uint8_t bus,
					struct vbe_i2c_msg *msgs, uint8_t num_msgs, uint16_t addr)
{
	if (plat == NULL || plat->ops == NULL || plat->ops->i2c_transfer == NULL) {
		return -ENOSYS;
	}
	return plat->ops->i2c_transfer(plat->ctx, bus, msgs, num_msgs, addr);
}

/* Wrappers for the SCMI platform ops: -ENOSYS when the platform lacks the op. */
#define VBE_PLAT_HAS(plat, op) ((plat) != NULL && (plat)->ops != NULL && (plat)->ops->op != NULL)

/** @brief Gate a clock on. @retval 0 done. @retval -ENOSYS no such op. @retval -errno failed. */
static inline int vbe_plat_clock_on(const struct vbe_plat *plat, uint16_t clk)
{
	return VBE_PLAT_HAS(plat, clock_on) ? plat->ops->clock_on(plat->ctx, clk) : -ENOSYS;
}

/** @brief Gate a clock off. @retval 0 done. @retval -ENOSYS no such op. @retval -errno failed. */
static inline int vbe_plat_clock_off(const struct vbe_plat *plat, uint16_t clk)
{
	return VBE_PLAT_HAS(plat, clock_off) ? plat->ops->clock_off(plat->ctx, clk) : -ENOSYS;
}

/** @brief Set a clock rate (Hz). @retval 0 done. @retval -ENOSYS no such op. @retval -errno. */
static inline int vbe_plat_clock_set_rate(const struct vbe_plat *plat, uint16_t clk, uint64_t hz)
{
	return VBE_PLAT_HAS(plat, clock_set_rate) ? plat->ops->clock_set_rate(plat->ctx, clk, hz)
						  : -ENOSYS;
}

/** @brief Read a clock rate (Hz). @retval 0 done. @retval -ENOSYS no such op. @retval -errno. */
static inline int vbe_plat_clock_get_rate(const struct vbe_plat *plat, uint16_t clk, uint64_t *hz)
{
	return VBE_PLAT_HAS(plat, clock_get_rate) ? plat->ops->clock_get_rate(plat->ctx, clk, hz)
						  : -ENOSYS;
}

/** @brief Set a power domain state. @retval 0 done. @retval -ENOSYS no such op. @retval -errno. */
static inline int vbe_plat_power_set_state(const struct vbe_plat *plat, uint16_t pd,
					   uint32_t state)
{
	return VBE_PLAT_HAS(plat, power_set_state)
		       ? plat->ops->power_set_state(plat->ctx, pd, state)
		       : -ENOSYS;
}

/** @brief Set a performance level. @retval 0 done. @retval -ENOSYS no such op. @retval -errno. */
static inline int vbe_plat_perf_set_level(const struct vbe_plat *plat, uint16_t dom,
					  uint32_t level)
{
	return VBE_PLAT_HAS(plat, perf_set_level) ? plat->ops->perf_set_level(plat->ctx, dom, level)
						  : -ENOSYS;
}

/** @brief Sample a sensor. @retval 0 done. @retval -ENOSYS no such op. @retval -errno failed. */
static inline int vbe_plat_sensor_read(const struct vbe_plat *plat, uint16_t sensor,
				       int64_t *value)
{
	return VBE_PLAT_HAS(plat, sensor_read) ? plat->ops->sensor_read(plat->ctx, sensor, value)
					       : -ENOSYS;
}

/** @brief Assert a reset line. @retval 0 done. @retval -ENOSYS no such op. @retval -errno. */
static inline int vbe_plat_reset_assert(const struct vbe_plat *plat, uint16_t line)
{
	return VBE_PLAT_HAS(plat, reset_assert) ? plat->ops->reset_assert(plat->ctx, line)
						: -ENOSYS;
}

/** @brief Release a reset line. @retval 0 done. @retval -ENOSYS no such op. @retval -errno. */
static inline int vbe_plat_reset_deassert(const struct vbe_plat *plat, uint16_t line)
{
	return VBE_PLAT_HAS(plat, reset_deassert) ? plat->ops->reset_deassert(plat->ctx, line)
						  : -ENOSYS;
}

/** @brief Switch a regulator on. @retval 0 done. @retval -ENOSYS no such op. @retval -errno. */
static inline int vbe_plat_regulator_enable(const struct vbe_plat *plat, uint16_t reg)
{
	return VBE_PLAT_HAS(plat, regulator_enable) ? plat->ops->regulator_enable(plat->ctx, reg)
						    : -ENOSYS;
}

/** @brief Switch a regulator off. @retval 0 done. @retval -ENOSYS no such op. @retval -errno. */
static inline int vbe_plat_regulator_disable(const struct vbe_plat *plat, uint16_t reg)
{
	return VBE_PLAT_HAS(plat, regulator_disable) ? plat->ops->regulator_disable(plat->ctx, reg)
						     : -ENOSYS;
}

/** @brief Set a regulator output (µV). @retval 0 done. @retval -ENOSYS no op. @retval -errno. */
static inline int vbe_plat_regulator_set_voltage(const struct vbe_plat *plat, uint16_t reg,
						 int32_t min_uv, int32_t max_uv)
{
	return VBE_PLAT_HAS(plat, regulator_set_voltage)
		       ? plat->ops->regulator_set_voltage(plat->ctx, reg, min_uv, max_uv)
		       : -ENOSYS;
}

/** @brief Record a guest's system power request. @retval 0 done. @retval -ENOSYS no such op. */
static inline int vbe_plat_system_request(const struct vbe_plat *plat, uint16_t agent,
					  uint32_t state, uint32_t flags)
{
	return VBE_PLAT_HAS(plat, system_request)
		       ? plat->ops->system_request(plat->ctx, agent, state, flags)
		       : -ENOSYS;
}

#endif /* VBE_PLAT_H */
