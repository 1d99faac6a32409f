/* SPDX-License-Identifier: Apache-2.0 */
/*
 * vbe_sim: a system description on the simulated platform. What every port that runs the
 * simulated platform needs around vbe_sys (the host library, the bare-metal image): build
 * the platform from the description, and the harness's view of the SCMI resources (state,
 * sensor knob, system power requests, operation log by platform index). One copy, so the
 * in-process and the QEMU machines cannot disagree. See docs/sim.md.
 */

#include <errno.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <vbe/plat.h>
#include <vbe/port.h>
#include <vbe/scmi.h>
#include <vbe/sim.h>
#include <vbe/sys.h>

static int sim_targets(struct vbe_sim *sim, const struct vbe_sys_cfg *cfg)
{
	for (unsigned int i = 0U; i < cfg->sim_target_count; i++) {
		const struct vbe_sys_sim_target *t = &cfg->sim_targets[i];
		int rc = vbe_sim_add_target(sim, t->bus, t->addr,
					    (enum vbe_sim_target_kind)t->kind);

		if (rc != 0) {
			VBE_LOG(VBE_LOG_ERR, "sim: target %s (bus %u addr 0x%x): %d", t->name,
				t->bus, t->addr, rc);
			return rc;
		}
	}
	return 0;
}

/* Power-on state of the SCMI resources: initial rates, lowest perf levels, levels, values. */
static int sim_scmi_presets(struct vbe_sim *sim, const struct vbe_scmi_platform_cfg *c)
{
	int rc = 0;

	for (uint8_t i = 0U; i < c->clock_count && rc == 0; i++) {
		rc = vbe_sim_clock_preset(sim, c->clocks[i].plat_id, c->clocks[i].initial_rate);
	}
	for (uint8_t i = 0U; i < c->perf_count && rc == 0; i++) {
		const struct vbe_scmi_perf_cfg *p = &c->perf[i];

		/* the lowest level (vbe_scmi_server_init refuses a domain without levels) */
		rc = p->level_count == 0U ? -EINVAL
					  : vbe_sim_perf_preset(sim, p->plat_id,
								p->levels[0].level);
	}
	for (uint8_t i = 0U; i < c->voltage_count && rc == 0; i++) {
		rc = vbe_sim_regulator_preset(sim, c->voltages[i].plat_id,
					      c->voltages[i].initial_uv);
	}
	for (uint8_t i = 0U; i < c->sensor_count && rc == 0; i++) {
		rc = vbe_sim_sensor_set(sim, c->sensors[i].plat_id, c->sensors[i].initial);
	}
	if (rc != 0) {
		VBE_LOG(VBE_LOG_ERR, "sim: SCMI resource beyond the simulated platform: %d", rc);
	}
	return rc;
}

int vbe_sim_populate(struct vbe_sim *sim, const struct vbe_sys_cfg *cfg)
{
	int rc;

	if (sim == NULL || cfg == NULL ||
	    (cfg->sim_target_count > 0U && cfg->sim_targets == NULL)) {
		return -EINVAL;
	}
	vbe_sim_init(sim);
	rc = sim_targets(sim, cfg);
	if (rc == 0 && cfg->scmi != NULL) {
		rc = sim_scmi_presets(sim, cfg->scmi);
	}
	return rc;
}

/* Platform id of resource @p idx of @p kind, or -ENOENT. */
static int sim_plat_id(const struct vbe_scmi_platform_cfg *c, unsigned int kind, uint16_t idx)
{
	switch (kind) {
	case VBE_SCMI_RES_CLOCK:
		return idx < c->clock_count ? c->clocks[idx].plat_id : -ENOENT;
	case VBE_SCMI_RES_POWER:
		return idx < c->power_count ? c->power[idx].plat_id : -ENOENT;
	case VBE_SCMI_RES_PERF:
		return idx < c->perf_count ? c->perf[idx].plat_id : -ENOENT;
	case VBE_SCMI_RES_SENSOR:
		return idx < c->sensor_count ? c->sensors[idx].plat_id : -ENOENT;
	case VBE_SCMI_RES_RESET:
		return idx < c->reset_count ? c->resets[idx].plat_id : -ENOENT;
	case VBE_SCMI_RES_VOLTAGE:
		return idx < c->voltage_count ? c->voltages[idx].plat_id : -ENOENT;
	default:
		return -ENOENT;
	}
}

/* Agents holding resource @p idx: votes, holders, or (perf) a level request. */
static uint32_t sim_votes(const struct vbe_scmi_server *srv, unsigned int kind, uint16_t idx)
{
	uint32_t mask = 0U;

	switch (kind) {
	case VBE_SCMI_RES_CLOCK:
		return srv->clock[idx].votes;
	case VBE_SCMI_RES_POWER:
		return srv->power[idx].votes;
	case VBE_SCMI_RES_PERF:
		for (unsigned int a = 0U; a < VBE_SCMI_MAX_AGENTS; a++) {
			mask |= srv->perf[idx].req[a] != 0U ? 1U << a : 0U;
		}
		return mask;
	case VBE_SCMI_RES_RESET:
		return srv->reset[idx].holders;
	case VBE_SCMI_RES_VOLTAGE:
		return srv->voltage[idx].votes;
	default:
		return 0U;
	}
}

int vbe_sim_res_state(const struct vbe_sim *sim, const struct vbe_sys_cfg *cfg,
		      const struct vbe_scmi_server *srv, unsigned int kind, uint16_t idx,
		      struct vbe_sim_res_state *out)
{
	const struct vbe_sim_scmi *s;
	int pid;

	if (sim == NULL || cfg == NULL || out == NULL || cfg->scmi == NULL) {
		return -ENOENT;
	}
	pid = sim_plat_id(cfg->scmi, kind, idx);
	if (pid < 0) {
		return pid;
	}
	s = &sim->scmi;
	out->on = false;
	out->value = 0;
	/* plat ids were checked against VBE_SIM_MAX_* by vbe_sim_populate's presets or ops */
	switch (kind) {
	case VBE_SCMI_RES_CLOCK:
		out->on = pid < VBE_SIM_MAX_CLOCKS && s->clock[pid].on;
		out->value = pid < VBE_SIM_MAX_CLOCKS ? (int64_t)s->clock[pid].rate : 0;
		break;
	case VBE_SCMI_RES_POWER:
		out->value = pid < VBE_SIM_MAX_POWER ? s->power[pid] : VBE_PLAT_POWER_OFF;
		out->on = out->value == VBE_PLAT_POWER_ON;
		break;
	case VBE_SCMI_RES_PERF:
		out->value = pid < VBE_SIM_MAX_PERF ? s->perf[pid] : 0U;
		break;
	case VBE_SCMI_RES_SENSOR:
		out->value = pid < VBE_SIM_MAX_SENSORS ? s->sensor[pid] : 0;
		break;
	case VBE_SCMI_RES_RESET:
		out->on = pid < VBE_SIM_MAX_RESETS && s->reset[pid];
		break;
	default:
		out->on = pid < VBE_SIM_MAX_REGULATORS && s->reg[pid].on;
		out->value = pid < VBE_SIM_MAX_REGULATORS ? s->reg[pid].uv : 0;
		break;
	}
	out->votes = srv != NULL ? sim_votes(srv, kind, idx) : 0U;
	return 0;
}

int vbe_sim_res_sensor_set(struct vbe_sim *sim, const struct vbe_sys_cfg *cfg,
			   struct vbe_scmi_server *srv, uint16_t idx, int64_t value)
{
	int pid;
	int rc;

	if (sim == NULL || cfg == NULL || cfg->scmi == NULL) {
		return -ENOENT;
	}
	pid = sim_plat_id(cfg->scmi, VBE_SCMI_RES_SENSOR, idx);
	if (pid < 0) {
		return pid;
	}
	rc = vbe_sim_sensor_set(sim, (uint16_t)pid, value);
	if (rc == 0 && srv != NULL) {
		rc = vbe_scmi_sensor_update(srv, idx);
	}
	return rc;
}

int vbe_sim_system_state(const struct vbe_sim *sim, const struct vbe_sys_cfg *cfg,
			 unsigned int agent, uint32_t *state, uint32_t *requests)
{
	if (sim == NULL || cfg == NULL || cfg->scmi == NULL || state == NULL ||
	    requests == NULL || agent < 1U || agent > cfg->scmi->agent_count ||
	    agent > VBE_SIM_MAX_AGENTS) {
		return -ENOENT;
	}
	*state = sim->scmi.sys_state[agent - 1U];
	*requests = sim->scmi.sys_requests[agent - 1U];
	return 0;
}

/* The resource kind an operation acts on; VBE_SCMI_RES_COUNT for a system power request. */
static unsigned int sim_op_kind(uint8_t op)
{
	switch (op) {
	case VBE_SIM_OP_CLOCK_ON:
	case VBE_SIM_OP_CLOCK_OFF:
	case VBE_SIM_OP_CLOCK_RATE:
		return VBE_SCMI_RES_CLOCK;
	case VBE_SIM_OP_POWER:
		return VBE_SCMI_RES_POWER;
	case VBE_SIM_OP_PERF:
		return VBE_SCMI_RES_PERF;
	case VBE_SIM_OP_RESET_ASSERT:
	case VBE_SIM_OP_RESET_DEASSERT:
		return VBE_SCMI_RES_RESET;
	case VBE_SIM_OP_REG_ENABLE:
	case VBE_SIM_OP_REG_DISABLE:
	case VBE_SIM_OP_REG_VOLTAGE:
		return VBE_SCMI_RES_VOLTAGE;
	default:
		return VBE_SCMI_RES_COUNT;
	}
}

int vbe_sim_op_index(const struct vbe_sys_cfg *cfg, const struct vbe_sim_op_entry *e)
{
	unsigned int kind;

	if (cfg == NULL || e == NULL || cfg->scmi == NULL) {
		return -ENOENT;
	}
	kind = sim_op_kind(e->op);
	if (kind == VBE_SCMI_RES_COUNT) {
		return e->op == VBE_SIM_OP_SYSTEM ? e->id : -ENOENT;
	}
	for (uint16_t i = 0U; i < UINT8_MAX; i++) {
		int pid = sim_plat_id(cfg->scmi, kind, i);

		if (pid < 0) {
			break;
		}
		if (pid == e->id) {
			return i;
		}
	}
	return -ENOENT;
}
