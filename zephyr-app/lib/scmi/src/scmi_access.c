/* SPDX-License-Identifier: Apache-2.0 */
/*
 * An agent's view: its grants (agent-local id -> platform resource, with per-operation
 * permissions) and the device/protocol permissions a privileged agent may change
 * (DEN0056E 4.2.2.10-4.2.2.12).
 */

#include <errno.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <vbe/scmi.h>

#include "scmi_internal.h"

const struct vbe_scmi_agent_cfg *vbe_scmi_agent_cfg(const struct vbe_scmi_server *srv,
						    uint8_t agent)
{
	if (srv == NULL || srv->cfg == NULL || agent == 0U || agent > srv->cfg->agent_count) {
		return NULL;
	}
	return &srv->cfg->agents[agent - 1U];
}

uint8_t vbe_scmi_grant_count(const struct vbe_scmi_server *srv, uint8_t agent,
			     enum vbe_scmi_res kind)
{
	const struct vbe_scmi_agent_cfg *cfg = vbe_scmi_agent_cfg(srv, agent);

	if (cfg == NULL || (unsigned int)kind >= VBE_SCMI_RES_COUNT) {
		return 0;
	}
	return cfg->grant_count[kind];
}

uint8_t vbe_scmi_res_protocol(enum vbe_scmi_res kind)
{
	static const uint8_t ids[] = {
		[VBE_SCMI_RES_CLOCK] = VBE_SCMI_PROTO_CLOCK,
		[VBE_SCMI_RES_POWER] = VBE_SCMI_PROTO_POWER,
		[VBE_SCMI_RES_PERF] = VBE_SCMI_PROTO_PERF,
		[VBE_SCMI_RES_SENSOR] = VBE_SCMI_PROTO_SENSOR,
		[VBE_SCMI_RES_RESET] = VBE_SCMI_PROTO_RESET,
		[VBE_SCMI_RES_VOLTAGE] = VBE_SCMI_PROTO_VOLTAGE,
	};

	_Static_assert(SCMI_ARRAY_SIZE(ids) == VBE_SCMI_RES_COUNT, "a protocol per kind");
	return ((unsigned int)kind < SCMI_ARRAY_SIZE(ids)) ? ids[kind] : 0U;
}

uint8_t vbe_scmi_res_device(const struct vbe_scmi_server *srv, enum vbe_scmi_res kind,
			    uint16_t res)
{
	const struct vbe_scmi_platform_cfg *cfg = srv->cfg;

	switch (kind) {
	case VBE_SCMI_RES_CLOCK:
		return res < cfg->clock_count ? cfg->clocks[res].device : VBE_SCMI_NO_DEVICE;
	case VBE_SCMI_RES_POWER:
		return res < cfg->power_count ? cfg->power[res].device : VBE_SCMI_NO_DEVICE;
	case VBE_SCMI_RES_PERF:
		return res < cfg->perf_count ? cfg->perf[res].device : VBE_SCMI_NO_DEVICE;
	case VBE_SCMI_RES_SENSOR:
		return res < cfg->sensor_count ? cfg->sensors[res].device : VBE_SCMI_NO_DEVICE;
	case VBE_SCMI_RES_RESET:
		return res < cfg->reset_count ? cfg->resets[res].device : VBE_SCMI_NO_DEVICE;
	case VBE_SCMI_RES_VOLTAGE:
		return res < cfg->voltage_count ? cfg->voltages[res].device : VBE_SCMI_NO_DEVICE;
	default:
		return VBE_SCMI_NO_DEVICE;
	}
}

bool vbe_scmi_res_allowed(const struct vbe_scmi_server *srv, uint8_t agent,
			  enum vbe_scmi_res kind, uint16_t res)
{
	uint8_t dev = vbe_scmi_res_device(srv, kind, res);
	const struct vbe_scmi_agent_state *a;
	uint16_t bit;

	if (agent == 0U || agent > VBE_SCMI_MAX_AGENTS) {
		return false;
	}
	if (dev == VBE_SCMI_NO_DEVICE || dev >= VBE_SCMI_MAX_DEVICES) {
		return true;
	}
	a = &srv->agent[agent - 1U];
	if ((a->dev_denied & (1UL << dev)) != 0U) {
		return false;
	}
	bit = (uint16_t)(1U << (vbe_scmi_res_protocol(kind) - VBE_SCMI_PROTO_BASE));
	return (a->proto_denied[dev] & bit) == 0U;
}

int vbe_scmi_lookup(const struct vbe_scmi_msg *m, enum vbe_scmi_res kind, uint32_t local,
		    uint8_t perm)
{
	const struct vbe_scmi_agent_cfg *cfg = vbe_scmi_agent_cfg(m->srv, m->agent);
	const struct vbe_scmi_grant *g;

	if (cfg == NULL || (unsigned int)kind >= VBE_SCMI_RES_COUNT ||
	    local >= cfg->grant_count[kind]) {
		return -ENOENT; /* outside the agent's index space: it does not exist for it */
	}
	g = &cfg->grants[kind][local];
	if (!vbe_scmi_res_allowed(m->srv, m->agent, kind, g->res) || (g->perms & perm) != perm) {
		return -EACCES;
	}
	return g->res;
}

int vbe_scmi_local_id(const struct vbe_scmi_server *srv, uint8_t agent, enum vbe_scmi_res kind,
		      uint16_t res)
{
	const struct vbe_scmi_agent_cfg *cfg = vbe_scmi_agent_cfg(srv, agent);

	if (cfg == NULL || (unsigned int)kind >= VBE_SCMI_RES_COUNT) {
		return -ENOENT;
	}
	for (uint8_t i = 0; i < cfg->grant_count[kind]; i++) {
		if (cfg->grants[kind][i].res == res) {
			return i;
		}
	}
	return -ENOENT;
}
