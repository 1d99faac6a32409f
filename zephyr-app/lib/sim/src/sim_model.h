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

/* The SCMI resource ops of the simulated platform (sim_scmi.c), for sim.c's ops table. */
int vbe_sim_clock_on(void *ctx, uint16_t clk);
int vbe_sim_clock_off(void *ctx, uint16_t clk);
int vbe_sim_clock_set_rate(void *ctx, uint16_t clk, uint64_t rate_hz);
int vbe_sim_clock_get_rate(void *ctx, uint16_t clk, uint64_t *rate_hz);
int vbe_sim_power_set_state(void *ctx, uint16_t pd, uint32_t state);
int vbe_sim_perf_set_level(void *ctx, uint16_t dom, uint32_t level);
int vbe_sim_sensor_read(void *ctx, uint16_t sensor, int64_t *value);
int vbe_sim_reset_assert(void *ctx, uint16_t line);
int vbe_sim_reset_deassert(void *ctx, uint16_t line);
int vbe_sim_regulator_enable(void *ctx, uint16_t reg);
int vbe_sim_regulator_disable(void *ctx, uint16_t reg);
int vbe_sim_regulator_set_voltage(void *ctx, uint16_t reg, int32_t min_uv, int32_t max_uv);
int vbe_sim_system_request(void *ctx, uint16_t agent, uint32_t state, uint32_t flags);

/** Power-on state of the SCMI resources (called by vbe_sim_init). */
void vbe_sim_scmi_reset(struct vbe_sim *sim);

#endif /* VBE_SIM_SRC_SIM_MODEL_H */
