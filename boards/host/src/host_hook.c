/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Host port, test hook: a callback inside every simulated I2C transfer, so a test can act
 * while the backend is in the middle of a service pass (a guest's driver on another CPU
 * refilling its ring as fast as the device drains it: tests/core/test_fair_service.py).
 */

#include <stddef.h>
#include <stdint.h>

#include <vbe/host.h>
#include <vbe/plat.h>
#include <vbe/sim.h>

#include "host_internal.h"

static int host_hook_transfer(void *ctx, uint8_t bus, struct vbe_i2c_msg *msgs, uint8_t num_msgs,
			      uint16_t addr)
{
	/* the platform's context is the simulator, which lives inside the handle */
	struct vbe_host *h = (struct vbe_host *)(void *)((uint8_t *)ctx -
							 offsetof(struct vbe_host, sim));

	if (h->i2c_hook != NULL) {
		h->i2c_hook(h->i2c_hook_ctx, bus, addr);
	}
	return h->plain_ops->i2c_transfer(ctx, bus, msgs, num_msgs, addr);
}

void vbe_host_set_i2c_hook(struct vbe_host *h, void (*hook)(void *ctx, uint8_t bus, uint16_t addr),
			   void *ctx)
{
	if (h->plain_ops == NULL) {
		h->plain_ops = h->sim.plat.ops;
		h->hook_ops = *h->plain_ops;
		h->hook_ops.i2c_transfer = host_hook_transfer;
	}
	h->i2c_hook = hook;
	h->i2c_hook_ctx = ctx;
	/* the backends hold &h->sim.plat: the ops they call change at once */
	h->sim.plat.ops = hook != NULL ? &h->hook_ops : h->plain_ops;
}
