/* SPDX-License-Identifier: Apache-2.0 */
/*
 * vbe_sim: build the simulated platform a system description asks for (vbe_sim_populate):
 * its I2C targets and the power-on state of its SCMI resources. What every port that runs
 * the simulated platform does before vbe_sys_init() (the host library, the bare-metal
 * image). See docs/sim.md.
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
