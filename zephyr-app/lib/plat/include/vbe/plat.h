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

struct vbe_plat_ops {
	/**
	 * Run @p num_msgs messages as one bus transaction to @p addr on bus @p bus:
	 * START, messages (RESTART where flagged), STOP after the message flagged STOP.
	 * Returns 0, or a negative errno (-EIO for a NACK) with no later message executed.
	 */
	int (*i2c_transfer)(void *ctx, uint8_t bus, struct vbe_i2c_msg *msgs, uint8_t num_msgs,
			    uint16_t addr);
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

#endif /* VBE_PLAT_H */
