/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Simulated AT24-style EEPROM: 256 bytes, 16-byte pages, one address pointer.
 *
 * Write message: the first byte is the word address (it sets the pointer); further bytes
 * are stored at the pointer, which wraps inside its 16-byte page as on the real part.
 * Read message: bytes from the pointer, which increments and wraps at 256. The pointer
 * persists across transactions (a "current address read" continues where the last
 * access stopped). Erased memory reads 0xff. See docs/sim.md.
 */

#include <stdint.h>
#include <string.h>

#include <vbe/plat.h>
#include <vbe/sim.h>

#include "sim_model.h"

_Static_assert(VBE_SIM_AT24_SIZE == 256, "the word address is one byte");
_Static_assert(VBE_SIM_AT24_PAGE > 0 && (VBE_SIM_AT24_PAGE & (VBE_SIM_AT24_PAGE - 1)) == 0 &&
		       VBE_SIM_AT24_SIZE % VBE_SIM_AT24_PAGE == 0,
	       "pages are a power of two and tile the memory");

#define AT24_ERASED 0xff

static void at24_reset(struct vbe_sim_target *t)
{
	struct vbe_sim_at24 *d = &t->u.at24;

	memset(d->mem, AT24_ERASED, sizeof(d->mem));
	d->ptr = 0;
}

static int at24_msg(struct vbe_sim_target *t, struct vbe_i2c_msg *msg)
{
	struct vbe_sim_at24 *d = &t->u.at24;

	if ((msg->flags & VBE_I2C_MSG_READ) != 0U) {
		for (uint32_t i = 0; i < msg->len; i++) {
			msg->buf[i] = d->mem[d->ptr];
			d->ptr = (uint8_t)((d->ptr + 1U) % VBE_SIM_AT24_SIZE);
		}
		return 0;
	}
	d->ptr = msg->buf[0];
	for (uint32_t i = 1; i < msg->len; i++) {
		uint8_t page = (uint8_t)(d->ptr & ~(VBE_SIM_AT24_PAGE - 1U));

		d->mem[d->ptr] = msg->buf[i];
		d->ptr = (uint8_t)(page | ((d->ptr + 1U) % VBE_SIM_AT24_PAGE));
	}
	return 0;
}

const struct vbe_sim_model vbe_sim_at24_model = {
	.reset = at24_reset,
	.msg = at24_msg,
};
