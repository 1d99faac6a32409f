/* SPDX-License-Identifier: Apache-2.0 */
/*
 * vbe_sim: the resources the SCMI server drives (clocks, power domains, performance
 * domains, sensors, reset lines, regulators, guest system power requests). Every operation
 * that changes the simulated hardware is logged, failed ones too, so tests can assert what
 * reached "hardware" (and what did not). Reads are not logged. See docs/sim.md.
 */

#include <errno.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <vbe/plat.h>
#include <vbe/sim.h>

#include "sim_model.h"

/* Log one operation; a pending injected failure for this kind replaces its result. */
static int sim_op(struct vbe_sim *sim, enum vbe_sim_op op, uint16_t id, int64_t value,
		  uint32_t arg, int rc)
{
	struct vbe_sim_scmi *s = &sim->scmi;
	uint32_t seq = ++s->log_seq;
	struct vbe_sim_op_entry *e = &s->log[(seq - 1U) % VBE_SIM_OPLOG_LEN];

	if (rc == 0 && s->fail_op == (uint8_t)op) {
		rc = s->fail_rc;
		s->fail_op = VBE_SIM_OP_NONE;
	}
	e->seq = seq;
	e->op = (uint8_t)op;
	e->id = id;
	e->value = value;
	e->arg = arg;
	e->result = rc;
	return rc;
}

void vbe_sim_scmi_reset(struct vbe_sim *sim)
{
	memset(&sim->scmi, 0, sizeof(sim->scmi));
	for (unsigned int i = 0; i < VBE_SIM_MAX_POWER; i++) {
		sim->scmi.power[i] = VBE_PLAT_POWER_OFF;
	}
	for (unsigned int i = 0; i < VBE_SIM_MAX_AGENTS; i++) {
		sim->scmi.sys_state[i] = VBE_PLAT_SYS_POWER_UP;
	}
}

static int sim_clock_gate(void *ctx, uint16_t clk, bool on)
{
	struct vbe_sim *sim = ctx;
	int rc;

	if (sim == NULL) {
		return -EINVAL;
	}
	rc = sim_op(sim, on ? VBE_SIM_OP_CLOCK_ON : VBE_SIM_OP_CLOCK_OFF, clk, 0, 0,
		    clk < VBE_SIM_MAX_CLOCKS ? 0 : -EINVAL);
	if (rc == 0) {
		sim->scmi.clock[clk].on = on;
	}
	return rc;
}

int vbe_sim_clock_on(void *ctx, uint16_t clk)
{
	return sim_clock_gate(ctx, clk, true);
}

int vbe_sim_clock_off(void *ctx, uint16_t clk)
{
	return sim_clock_gate(ctx, clk, false);
}

int vbe_sim_clock_set_rate(void *ctx, uint16_t clk, uint64_t rate_hz)
{
	struct vbe_sim *sim = ctx;
	int rc;

	if (sim == NULL) {
		return -EINVAL;
	}
	rc = sim_op(sim, VBE_SIM_OP_CLOCK_RATE, clk, (int64_t)rate_hz, 0,
		    clk < VBE_SIM_MAX_CLOCKS ? 0 : -EINVAL);
	if (rc == 0) {
		sim->scmi.clock[clk].rate = rate_hz;
	}
	return rc;
}

int vbe_sim_clock_get_rate(void *ctx, uint16_t clk, uint64_t *rate_hz)
{
	struct vbe_sim *sim = ctx;

	if (sim == NULL || rate_hz == NULL || clk >= VBE_SIM_MAX_CLOCKS) {
		return -EINVAL;
	}
	*rate_hz = sim->scmi.clock[clk].rate;
	return 0;
}

int vbe_sim_power_set_state(void *ctx, uint16_t pd, uint32_t state)
{
	struct vbe_sim *sim = ctx;
	int rc;

	if (sim == NULL) {
		return -EINVAL;
	}
	rc = sim_op(sim, VBE_SIM_OP_POWER, pd, state, 0,
		    (pd < VBE_SIM_MAX_POWER &&
		     (state == VBE_PLAT_POWER_ON || state == VBE_PLAT_POWER_OFF))
			    ? 0
			    : -EINVAL);
	if (rc == 0) {
		sim->scmi.power[pd] = state;
	}
	return rc;
}

int vbe_sim_perf_set_level(void *ctx, uint16_t dom, uint32_t level)
{
	struct vbe_sim *sim = ctx;
	int rc;

	if (sim == NULL) {
		return -EINVAL;
	}
	rc = sim_op(sim, VBE_SIM_OP_PERF, dom, level, 0, dom < VBE_SIM_MAX_PERF ? 0 : -EINVAL);
	if (rc == 0) {
		sim->scmi.perf[dom] = level;
	}
	return rc;
}

int vbe_sim_sensor_read(void *ctx, uint16_t sensor, int64_t *value)
{
	struct vbe_sim *sim = ctx;

	if (sim == NULL || value == NULL || sensor >= VBE_SIM_MAX_SENSORS) {
		return -EINVAL;
	}
	*value = sim->scmi.sensor[sensor];
	return 0;
}

static int sim_reset_line(void *ctx, uint16_t line, bool assert)
{
	struct vbe_sim *sim = ctx;
	int rc;

	if (sim == NULL) {
		return -EINVAL;
	}
	rc = sim_op(sim, assert ? VBE_SIM_OP_RESET_ASSERT : VBE_SIM_OP_RESET_DEASSERT, line, 0, 0,
		    line < VBE_SIM_MAX_RESETS ? 0 : -EINVAL);
	if (rc == 0) {
		sim->scmi.reset[line] = assert;
	}
	return rc;
}

int vbe_sim_reset_assert(void *ctx, uint16_t line)
{
	return sim_reset_line(ctx, line, true);
}

int vbe_sim_reset_deassert(void *ctx, uint16_t line)
{
	return sim_reset_line(ctx, line, false);
}

static int sim_regulator_switch(void *ctx, uint16_t reg, bool on)
{
	struct vbe_sim *sim = ctx;
	int rc;

	if (sim == NULL) {
		return -EINVAL;
	}
	rc = sim_op(sim, on ? VBE_SIM_OP_REG_ENABLE : VBE_SIM_OP_REG_DISABLE, reg, 0, 0,
		    reg < VBE_SIM_MAX_REGULATORS ? 0 : -EINVAL);
	if (rc == 0) {
		sim->scmi.reg[reg].on = on;
	}
	return rc;
}

int vbe_sim_regulator_enable(void *ctx, uint16_t reg)
{
	return sim_regulator_switch(ctx, reg, true);
}

int vbe_sim_regulator_disable(void *ctx, uint16_t reg)
{
	return sim_regulator_switch(ctx, reg, false);
}

/* Zephyr's regulator_set_voltage shape: any output in [min, max]; the sim picks min. */
int vbe_sim_regulator_set_voltage(void *ctx, uint16_t reg, int32_t min_uv, int32_t max_uv)
{
	struct vbe_sim *sim = ctx;
	int rc;

	if (sim == NULL) {
		return -EINVAL;
	}
	rc = sim_op(sim, VBE_SIM_OP_REG_VOLTAGE, reg, min_uv, (uint32_t)max_uv,
		    (reg < VBE_SIM_MAX_REGULATORS && min_uv <= max_uv) ? 0 : -EINVAL);
	if (rc == 0) {
		sim->scmi.reg[reg].uv = min_uv;
	}
	return rc;
}

/* A guest's request is recorded for that guest only: the platform keeps running. */
int vbe_sim_system_request(void *ctx, uint16_t agent, uint32_t state, uint32_t flags)
{
	struct vbe_sim *sim = ctx;
	int rc;

	if (sim == NULL) {
		return -EINVAL;
	}
	rc = sim_op(sim, VBE_SIM_OP_SYSTEM, agent, state, flags,
		    (agent >= 1U && agent <= VBE_SIM_MAX_AGENTS) ? 0 : -EINVAL);
	if (rc == 0) {
		sim->scmi.sys_state[agent - 1U] = state;
		sim->scmi.sys_requests[agent - 1U]++;
	}
	return rc;
}

int vbe_sim_clock_preset(struct vbe_sim *sim, uint16_t clk, uint64_t rate_hz)
{
	if (sim == NULL || clk >= VBE_SIM_MAX_CLOCKS) {
		return -EINVAL;
	}
	sim->scmi.clock[clk].rate = rate_hz;
	return 0;
}

int vbe_sim_perf_preset(struct vbe_sim *sim, uint16_t dom, uint32_t level)
{
	if (sim == NULL || dom >= VBE_SIM_MAX_PERF) {
		return -EINVAL;
	}
	sim->scmi.perf[dom] = level;
	return 0;
}

int vbe_sim_regulator_preset(struct vbe_sim *sim, uint16_t reg, int32_t uv)
{
	if (sim == NULL || reg >= VBE_SIM_MAX_REGULATORS) {
		return -EINVAL;
	}
	sim->scmi.reg[reg].uv = uv;
	return 0;
}

int vbe_sim_sensor_set(struct vbe_sim *sim, uint16_t sensor, int64_t value)
{
	if (sim == NULL || sensor >= VBE_SIM_MAX_SENSORS) {
		return -EINVAL;
	}
	sim->scmi.sensor[sensor] = value;
	return 0;
}

int vbe_sim_fail_next(struct vbe_sim *sim, enum vbe_sim_op op, int rc)
{
	if (sim == NULL || (unsigned int)op >= VBE_SIM_OP_COUNT ||
	    (op != VBE_SIM_OP_NONE && rc >= 0)) {
		return -EINVAL;
	}
	sim->scmi.fail_op = (uint8_t)op;
	sim->scmi.fail_rc = rc;
	return 0;
}

int vbe_sim_op_get(const struct vbe_sim *sim, uint32_t seq, struct vbe_sim_op_entry *out)
{
	const struct vbe_sim_scmi *s;

	if (sim == NULL || out == NULL) {
		return -EINVAL;
	}
	s = &sim->scmi;
	if (seq == 0U || seq > s->log_seq || s->log_seq - seq >= VBE_SIM_OPLOG_LEN) {
		return -ENOENT;
	}
	*out = s->log[(seq - 1U) % VBE_SIM_OPLOG_LEN];
	return 0;
}
