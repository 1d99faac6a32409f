/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Zephyr port: the I2C platform operation (vbe/plat.h). vbe_plat_ops.i2c_transfer forwards
 * a transaction to i2c_transfer() on a bus named in the devicetree by a chosen node:
 *
 *   chosen { vbe,i2c-bus0 = &some_i2c_controller; };
 *
 * Platform bus N (vbe_sys_cfg.buses[].id, vbe_i2c_view.bus) is chosen vbe,i2c-busN.
 * Policy (which guest may reach which address) lives in the core; this file only forwards.
 */

#include "port_zephyr.h"

#include <errno.h>
#include <stddef.h>
#include <stdint.h>

#include <zephyr/device.h>
#include <zephyr/devicetree.h>
#include <zephyr/drivers/i2c.h>
#include <zephyr/logging/log.h>
#include <zephyr/sys/util.h>

#include <vbe/i2c.h>
#include <vbe/plat.h>
#include <vbe/sys.h>

#include "vbe_zephyr.h"

LOG_MODULE_DECLARE(vbe, CONFIG_VBE_LOG_LEVEL);

/* vbe_i2c_msg mirrors struct i2c_msg; the flag bits must be Zephyr's, bit for bit. */
BUILD_ASSERT(VBE_I2C_MSG_WRITE == I2C_MSG_WRITE, "VBE_I2C_MSG_WRITE != I2C_MSG_WRITE");
BUILD_ASSERT(VBE_I2C_MSG_READ == I2C_MSG_READ, "VBE_I2C_MSG_READ != I2C_MSG_READ");
BUILD_ASSERT(VBE_I2C_MSG_STOP == I2C_MSG_STOP, "VBE_I2C_MSG_STOP != I2C_MSG_STOP");
BUILD_ASSERT(VBE_I2C_MSG_RESTART == I2C_MSG_RESTART, "VBE_I2C_MSG_RESTART != I2C_MSG_RESTART");
BUILD_ASSERT(VBE_I2C_MSG_ADDR_10_BITS == I2C_MSG_ADDR_10_BITS,
	     "VBE_I2C_MSG_ADDR_10_BITS != I2C_MSG_ADDR_10_BITS");

/* Every flag the core may set; anything else is refused rather than passed on blind. */
#define VBE_ZEPHYR_I2C_MSG_FLAGS                                                                   \
	(VBE_I2C_MSG_READ | VBE_I2C_MSG_STOP | VBE_I2C_MSG_RESTART | VBE_I2C_MSG_ADDR_10_BITS)

/* Messages are copied into struct i2c_msg, one FAIL_NEXT group at most (vbe/i2c.h). */
#define VBE_ZEPHYR_I2C_MAX_MSGS VBE_I2C_GROUP_MAX

BUILD_ASSERT(VBE_ZEPHYR_I2C_MAX_MSGS <= UINT8_MAX, "i2c_transfer() counts messages in a uint8_t");

/* NULL for a bus no chosen node names, or whose node is not enabled. */
#define VBE_ZEPHYR_I2C_BUS(n) DEVICE_DT_GET_OR_NULL(DT_CHOSEN(vbe_i2c_bus##n))

static const struct device *const vbe_zephyr_i2c_buses[VBE_ZEPHYR_I2C_BUSES] = {
	VBE_ZEPHYR_I2C_BUS(0),
	VBE_ZEPHYR_I2C_BUS(1),
	VBE_ZEPHYR_I2C_BUS(2),
	VBE_ZEPHYR_I2C_BUS(3),
};

static const struct device *vbe_zephyr_i2c_bus(uint8_t bus)
{
	if (bus >= ARRAY_SIZE(vbe_zephyr_i2c_buses)) {
		return NULL;
	}

	return vbe_zephyr_i2c_buses[bus];
}

int vbe_zephyr_i2c_transfer(void *ctx, uint8_t bus, struct vbe_i2c_msg *msgs, uint8_t num_msgs,
			    uint16_t addr)
{
	struct i2c_msg zmsgs[VBE_ZEPHYR_I2C_MAX_MSGS];
	const struct device *dev = vbe_zephyr_i2c_bus(bus);

	ARG_UNUSED(ctx);

	if (!device_is_ready(dev)) {
		/* Also covers a bus no chosen node names (dev == NULL). */
		return -ENODEV;
	}

	if (num_msgs == 0U) {
		/* i2c_transfer() does nothing for zero messages; neither do we. */
		return 0;
	}

	if ((msgs == NULL) || (num_msgs > ARRAY_SIZE(zmsgs))) {
		return -EINVAL;
	}

	for (uint8_t i = 0U; i < num_msgs; i++) {
		if ((msgs[i].flags & ~VBE_ZEPHYR_I2C_MSG_FLAGS) != 0U) {
			return -EINVAL;
		}

		if ((msgs[i].len == 0U) && !IS_ENABLED(CONFIG_VBE_I2C_ZERO_LENGTH_MSGS)) {
			return -ENOTSUP;
		}

		zmsgs[i].buf = msgs[i].buf;
		zmsgs[i].len = msgs[i].len;
		zmsgs[i].flags = msgs[i].flags;
	}

	/*
	 * Drivers may rewrite flags (i2c_transfer() forces STOP on the last message), which is
	 * why this is a copy. Read data lands in the caller's buffers directly.
	 */
	return i2c_transfer(dev, zmsgs, num_msgs, addr);
}

void vbe_zephyr_i2c_report(const struct vbe_sys_cfg *cfg)
{
	for (uint8_t i = 0U; i < cfg->bus_count; i++) {
		const struct vbe_sys_bus *b = &cfg->buses[i];
		const struct device *dev = vbe_zephyr_i2c_bus(b->id);

		if (dev == NULL) {
			LOG_WRN("i2c bus %u '%s': no chosen vbe,i2c-bus%u; transfers fail",
				(unsigned int)b->id, b->name, (unsigned int)b->id);
		} else if (!device_is_ready(dev)) {
			LOG_WRN("i2c bus %u '%s': device %s not ready; transfers fail",
				(unsigned int)b->id, b->name, dev->name);
		} else {
			LOG_INF("i2c bus %u '%s': %s", (unsigned int)b->id, b->name, dev->name);
		}
	}
}
