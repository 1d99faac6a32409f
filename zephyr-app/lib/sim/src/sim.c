/* SPDX-License-Identifier: Apache-2.0 */
/*
 * vbe_sim: the simulated platform. Its ops table is the one a real platform fills
 * (vbe/plat.h); on top, targets to add, an LM75 temperature to set and a bus log to read.
 *
 * A transfer is one transaction to one address: the target there runs the messages in
 * order and the first NACK (-EIO) stops it. No target at the address (or a 10-bit
 * address: the simulated targets are 7-bit) is a NACK of the address byte. Every
 * transaction is logged, successful or not. See docs/sim.md.
 */

#include <errno.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <vbe/plat.h>
#include <vbe/sim.h>

#include "sim_model.h"

#define SIM_ARRAY_SIZE(a) (sizeof(a) / sizeof((a)[0]))

/* Simulated targets answer 7-bit addresses only. */
#define SIM_ADDR_MAX 0x7f

/* Model per enum vbe_sim_target_kind; a hole is an unknown kind. */
static const struct vbe_sim_model *const sim_models[] = {
	[VBE_SIM_AT24] = &vbe_sim_at24_model,
	[VBE_SIM_LM75] = &vbe_sim_lm75_model,
};

_Static_assert(VBE_SIM_LOG_LEN > 0 && VBE_SIM_LOG_MSGS > 0, "the bus log keeps something");

static const struct vbe_sim_model *sim_model(unsigned int kind)
{
	if (kind >= SIM_ARRAY_SIZE(sim_models)) {
		return NULL;
	}
	return sim_models[kind];
}

/* Record one transaction; @p done messages completed (the failing one, if any, is next). */
static void sim_log(struct vbe_sim *sim, uint8_t bus, uint16_t addr,
		    const struct vbe_i2c_msg *msgs, uint8_t num_msgs, uint8_t done, int result)
{
	uint32_t seq = ++sim->log_seq;
	struct vbe_sim_log_entry *e = &sim->log[(seq - 1U) % VBE_SIM_LOG_LEN];

	memset(e, 0, sizeof(*e));
	e->seq = seq;
	e->bus = bus;
	e->addr = addr;
	e->num_msgs = num_msgs;
	e->result = result;
	for (uint8_t i = 0; i < num_msgs && i < VBE_SIM_LOG_MSGS; i++) {
		const struct vbe_i2c_msg *m = &msgs[i];
		bool rd = (m->flags & VBE_I2C_MSG_READ) != 0U;
		uint32_t n = (m->len < VBE_SIM_LOG_BYTES) ? m->len : VBE_SIM_LOG_BYTES;

		e->msgs[i].flags = m->flags;
		e->msgs[i].len = m->len;
		/* writes: the bytes sent; reads: the bytes returned, if the read completed */
		if (n > 0U && (!rd || i < done)) {
			memcpy(e->msgs[i].data, m->buf, n);
		}
	}
}

static int sim_transfer(void *ctx, uint8_t bus, struct vbe_i2c_msg *msgs, uint8_t num_msgs,
			uint16_t addr)
{
	struct vbe_sim *sim = ctx;
	struct vbe_sim_target *t = NULL;
	bool ten_bit = false;
	uint8_t done = 0;
	int rc = 0;

	if (sim == NULL || (msgs == NULL && num_msgs > 0U)) {
		return -EINVAL;
	}
	for (uint8_t i = 0; i < num_msgs; i++) {
		if (msgs[i].len > 0U && msgs[i].buf == NULL) {
			return -EINVAL; /* a caller bug, not a bus event: not logged */
		}
		ten_bit = ten_bit || (msgs[i].flags & VBE_I2C_MSG_ADDR_10_BITS) != 0U;
	}
	if (!ten_bit) {
		t = vbe_sim_find(sim, bus, addr);
	}
	if (t == NULL) {
		rc = -EIO; /* nobody ACKs the address */
	} else {
		const struct vbe_sim_model *model = sim_model(t->kind);

		for (; done < num_msgs; done++) {
			/* a zero-length message is an ACKed address and nothing else */
			rc = (msgs[done].len == 0U) ? 0 : model->msg(t, &msgs[done]);
			if (rc != 0) {
				break;
			}
		}
	}
	sim_log(sim, bus, addr, msgs, num_msgs, done, rc);
	return rc;
}

static const struct vbe_plat_ops sim_ops = {
	.i2c_transfer = sim_transfer,
	.clock_on = vbe_sim_clock_on,
	.clock_off = vbe_sim_clock_off,
	.clock_set_rate = vbe_sim_clock_set_rate,
	.clock_get_rate = vbe_sim_clock_get_rate,
	.power_set_state = vbe_sim_power_set_state,
	.perf_set_level = vbe_sim_perf_set_level,
	.sensor_read = vbe_sim_sensor_read,
	.reset_assert = vbe_sim_reset_assert,
	.reset_deassert = vbe_sim_reset_deassert,
	.regulator_enable = vbe_sim_regulator_enable,
	.regulator_disable = vbe_sim_regulator_disable,
	.regulator_set_voltage = vbe_sim_regulator_set_voltage,
	.system_request = vbe_sim_system_request,
};

void vbe_sim_init(struct vbe_sim *sim)
{
	if (sim == NULL) {
		return;
	}
	memset(sim, 0, sizeof(*sim));
	vbe_sim_scmi_reset(sim);
	sim->plat.ops = &sim_ops;
	sim->plat.ctx = sim;
}

struct vbe_sim_target *vbe_sim_find(struct vbe_sim *sim, uint8_t bus, uint16_t addr)
{
	if (sim == NULL) {
		return NULL;
	}
	for (uint8_t i = 0; i < sim->target_count && i < VBE_SIM_MAX_TARGETS; i++) {
		if (sim->targets[i].bus == bus && sim->targets[i].addr == addr) {
			return &sim->targets[i];
		}
	}
	return NULL;
}

int vbe_sim_add_target(struct vbe_sim *sim, uint8_t bus, uint16_t addr,
		       enum vbe_sim_target_kind kind)
{
	const struct vbe_sim_model *model = sim_model((unsigned int)kind);
	struct vbe_sim_target *t;

	if (sim == NULL || model == NULL || bus >= VBE_SIM_MAX_BUSES || addr > SIM_ADDR_MAX ||
	    vbe_sim_find(sim, bus, addr) != NULL) {
		return -EINVAL;
	}
	if (sim->target_count >= VBE_SIM_MAX_TARGETS) {
		return -ENOSPC;
	}
	t = &sim->targets[sim->target_count];
	memset(t, 0, sizeof(*t));
	t->bus = bus;
	t->addr = addr;
	t->kind = (uint8_t)kind;
	model->reset(t);
	sim->target_count++;
	return 0;
}

int vbe_sim_lm75_set_temp(struct vbe_sim *sim, uint8_t bus, uint16_t addr, int32_t temp_mc)
{
	struct vbe_sim_target *t = vbe_sim_find(sim, bus, addr);

	if (t == NULL || t->kind != VBE_SIM_LM75) {
		return -ENODEV;
	}
	t->u.lm75.temp_mc = temp_mc;
	return 0;
}

int vbe_sim_log_get(const struct vbe_sim *sim, uint32_t seq, struct vbe_sim_log_entry *out)
{
	if (sim == NULL || out == NULL) {
		return -EINVAL;
	}
	if (seq == 0U || seq > sim->log_seq || sim->log_seq - seq >= VBE_SIM_LOG_LEN) {
		return -ENOENT;
	}
	*out = sim->log[(seq - 1U) % VBE_SIM_LOG_LEN];
	return 0;
}
