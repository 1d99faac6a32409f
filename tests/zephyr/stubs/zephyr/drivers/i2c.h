/* SPDX-License-Identifier: Apache-2.0 */
/* Stand-in for include/zephyr/drivers/i2c.h: struct i2c_msg {buf, len, flags}, the
 * I2C_MSG_* flags, i2c_transfer(dev, msgs, uint8_t num_msgs, uint16_t addr). */
#ifndef STUB_ZEPHYR_DRIVERS_I2C_H
#define STUB_ZEPHYR_DRIVERS_I2C_H
#include <stdint.h>

#include <zephyr/device.h>

#define I2C_MSG_WRITE (0U << 0U)
#define I2C_MSG_READ (1U << 0U)
#define I2C_MSG_STOP (1U << 1U)
#define I2C_MSG_RESTART (1U << 2U)
#define I2C_MSG_ADDR_10_BITS (1U << 3U)

struct i2c_msg {
	uint8_t *buf;
	uint32_t len;
	uint8_t flags;
};

int i2c_transfer(const struct device *dev, struct i2c_msg *msgs, uint8_t num_msgs,
		 uint16_t addr);
#endif
