/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Simulated LM75-style temperature sensor.
 *
 * Registers, chosen by the pointer register: 0 temperature (read-only, 2 bytes),
 * 1 configuration (1 byte), 2 THYST and 3 TOS (2 bytes each). Temperatures are 9-bit
 * two's complement in 0.5 degC steps, left-justified in 16 bits, MSB first on the wire.
 *
 * Write message: 1 byte sets the pointer; 2 bytes set pointer 1 and the configuration;
 * 3 bytes set pointer 2 or 3 and that limit. Any other write is NACKed (-EIO): a pointer
 * above 3 before anything changes, bad data after the (valid) pointer byte was taken.
 * Read message: the pointed register, repeated for longer reads. See docs/sim.md.
 */

#include <errno.h>
#include <stdint.h>

#include <vbe/plat.h>
#include <vbe/sim.h>

#include "sim_model.h"

#define LM75_REG_TEMP 0
#define LM75_REG_CONF 1
#define LM75_REG_THYST 2
#define LM75_REG_TOS 3

#define LM75_THYST_DEFAULT 0x4b00 /* 75 degC */
#define LM75_TOS_DEFAULT 0x5000   /* 80 degC */
#define LM75_VALUE_MASK 0xff80    /* 9 significant bits, left-justified */

/* The 9-bit range in half degrees: -128.0 .. +127.5 degC */
#define LM75_HALF_MIN (-256)
#define LM75_HALF_MAX 255

static void lm75_reset(struct vbe_sim_target *t)
{
	struct vbe_sim_lm75 *d = &t->u.lm75;

	d->temp_mc = 0;
	d->ptr = LM75_REG_TEMP;
	d->config = 0;
	d->thyst = LM75_THYST_DEFAULT;
	d->tos = LM75_TOS_DEFAULT;
}

/* Temperature register: half degrees, rounded toward zero, clamped, shifted to bit 7. */
static uint16_t lm75_temp_reg(int32_t temp_mc)
{
	int32_t half = temp_mc / 500; /* C division rounds toward zero */

	if (half < LM75_HALF_MIN) {
		half = LM75_HALF_MIN;
	} else if (half > LM75_HALF_MAX) {
		half = LM75_HALF_MAX;
	}
	/* two's complement through unsigned arithmetic: no shift of a negative value */
	return (uint16_t)((uint32_t)half << 7);
}

static int lm75_write(struct vbe_sim_lm75 *d, const uint8_t *buf, uint32_t len)
{
	if (buf[0] > LM75_REG_TOS) {
		return -EIO;
	}
	d->ptr = buf[0];
	if (len == 1U) {
		return 0;
	}
	if (len == 2U && d->ptr == LM75_REG_CONF) {
		d->config = buf[1];
		return 0;
	}
	if (len == 3U && (d->ptr == LM75_REG_THYST || d->ptr == LM75_REG_TOS)) {
		uint16_t v = (uint16_t)(((uint16_t)buf[1] << 8 | buf[2]) & LM75_VALUE_MASK);

		if (d->ptr == LM75_REG_THYST) {
			d->thyst = v;
		} else {
			d->tos = v;
		}
		return 0;
	}
	return -EIO; /* data the pointed register does not take, e.g. any to register 0 */
}

static void lm75_read(const struct vbe_sim_lm75 *d, uint8_t *buf, uint32_t len)
{
	uint16_t v;

	switch (d->ptr) {
	case LM75_REG_CONF:
		for (uint32_t i = 0; i < len; i++) {
			buf[i] = d->config;
		}
		return;
	case LM75_REG_THYST:
		v = d->thyst;
		break;
	case LM75_REG_TOS:
		v = d->tos;
		break;
	default:
		v = lm75_temp_reg(d->temp_mc);
		break;
	}
	for (uint32_t i = 0; i < len; i++) {
		buf[i] = (uint8_t)((i % 2U == 0U) ? (v >> 8) : v);
	}
}

static int lm75_msg(struct vbe_sim_target *t, struct vbe_i2c_msg *msg)
{
	struct vbe_sim_lm75 *d = &t->u.lm75;

	if ((msg->flags & VBE_I2C_MSG_READ) != 0U) {
		lm75_read(d, msg->buf, msg->len);
		return 0;
	}
	return lm75_write(d, msg->buf, msg->len);
}

const struct vbe_sim_model vbe_sim_lm75_model = {
	.reset = lm75_reset,
	.msg = lm75_msg,
};
