/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Simulated I2C target models, private to the simulated platform (sim.c).
 *
 * A model handles one message at a time; sim.c finds the target, runs the messages in
 * order, stops at the first error and logs the transaction. Each message is a fresh
 * phase after a (repeated) START: vbe's backends set RESTART between messages.
 */

#ifndef VBE_SIM_SRC_SIM_MODEL_H
#define VBE_SIM_SRC_SIM_MODEL_H

#include <vbe/plat.h>
#include <vbe/sim.h>

struct vbe_sim_model {
	/** Power-on state. */
	void (*reset)(struct vbe_sim_target *t);
	/**
	 * One message: read into or write from msg->buf (msg->len > 0 bytes, buf not NULL).
	 * Returns 0, or -EIO when the target NACKs (the transaction stops there).
	 */
	int (*msg)(struct vbe_sim_target *t, struct vbe_i2c_msg *msg);
};

extern const struct vbe_sim_model vbe_sim_at24_model;
extern const struct vbe_sim_model vbe_sim_lm75_model;

#endif /* VBE_SIM_SRC_SIM_MODEL_H */
