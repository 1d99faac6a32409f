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

/*
 * Every resource configuration starts with name, plat_id and device, at the same offsets:
 * one accessor reads those fields for every kind, from the kind's table as bytes.
 */
#define SCMI_SAME_OFFSET(type, field)                                                          \
	(offsetof(type, field) == offsetof(struct vbe_scmi_power_cfg, field))
#define SCMI_RES_LIKE_POWER(type)                                                              \
	_Static_assert(SCMI_SAME_OFFSET(type, name) && SCMI_SAME_OFFSET(type, plat_id) &&      \
			       SCMI_SAME_OFFSET(type, device),                                 \
		       #type " starts with name, plat_id, device")
SCMI_RES_LIKE_POWER(struct vbe_scmi_clock_cfg);
SCMI_RES_LIKE_POWER(struct vbe_scmi_perf_cfg);
SCMI_RES_LIKE_POWER(struct vbe_scmi_sensor_cfg);
SCMI_RES_LIKE_POWER(struct vbe_scmi_reset_cfg);
SCMI_RES_LIKE_POWER(struct vbe_scmi_voltage_cfg);

/* The configuration of resource @p res of @p kind, or NULL past the end of its table. */
static const uint8_t *scmi_res_at(const struct vbe_scmi_platform_cfg *cfg,
				  enum vbe_scmi_res kind, uint16_t res)
{
	const uint8_t *table;
	size_t size;

	switch (kind) {
	case VBE_SCMI_RES_CLOCK:
		table = (const uint8_t *)cfg->clocks;
		size = sizeof(cfg->clocks[0]);
		break;
	case VBE_SCMI_RES_POWER:
		table = (const uint8_t *)cfg->power;
		size = sizeof(cfg->power[0]);
		break;
	case VBE_SCMI_RES_PERF:
		table = (const uint8_t *)cfg->perf;
		size = sizeof(cfg->perf[0]);
		break;
	case VBE_SCMI_RES_SENSOR:
		table = (const uint8_t *)cfg->sensors;
		size = sizeof(cfg->sensors[0]);
		break;
	case VBE_SCMI_RES_RESET:
		table = (const uint8_t *)cfg->resets;
		size = sizeof(cfg->resets[0]);
		break;
	case VBE_SCMI_RES_VOLTAGE:
		table = (const uint8_t *)cfg->voltages;
		size = sizeof(cfg->voltages[0]);
		break;
	default:
		return NULL;
	}
	return (table != NULL && res < vbe_scmi_res_count(cfg, kind)) ? table + res * size : NULL;
}

uint8_t vbe_scmi_res_count(const struct vbe_scmi_platform_cfg *cfg, enum vbe_scmi_res kind)
{
	const uint8_t counts[] = {
		[VBE_SCMI_RES_CLOCK] = cfg->clock_count,
		[VBE_SCMI_RES_POWER] = cfg->power_count,
		[VBE_SCMI_RES_PERF] = cfg->perf_count,
		[VBE_SCMI_RES_SENSOR] = cfg->sensor_count,
		[VBE_SCMI_RES_RESET] = cfg->reset_count,
		[VBE_SCMI_RES_VOLTAGE] = cfg->voltage_count,
	};

	_Static_assert(SCMI_ARRAY_SIZE(counts) == VBE_SCMI_RES_COUNT, "a count per kind");
	return ((unsigned int)kind < SCMI_ARRAY_SIZE(counts)) ? counts[kind] : 0U;
}

const char *vbe_scmi_res_name(const struct vbe_scmi_platform_cfg *cfg, enum vbe_scmi_res kind,
			      uint16_t res)
{
	const uint8_t *c = scmi_res_at(cfg, kind, res);

	return c != NULL ? *(const char *const *)(c + offsetof(struct vbe_scmi_power_cfg, name))
			 : NULL;
}

uint8_t vbe_scmi_res_device(const struct vbe_scmi_platform_cfg *cfg, enum vbe_scmi_res kind,
			    uint16_t res)
{
	const uint8_t *c = scmi_res_at(cfg, kind, res);

	return c != NULL ? c[offsetof(struct vbe_scmi_power_cfg, device)] : VBE_SCMI_NO_DEVICE;
}

bool vbe_scmi_res_allowed(const struct vbe_scmi_server *srv, uint8_t agent,
			  enum vbe_scmi_res kind, uint16_t res)
{
	uint8_t dev = vbe_scmi_res_device(srv->cfg, kind, res);
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

int vbe_scmi_lookup(const struct vbe_scmi_msg *m, size_t id_at, uint8_t perm)
{
	enum vbe_scmi_res kind = (enum vbe_scmi_res)m->proto->res;
	uint32_t local = vbe_scmi_get_le32(m->a2p + id_at);
	const struct vbe_scmi_grant *g;

	if ((unsigned int)kind >= VBE_SCMI_RES_COUNT || local >= m->acfg->grant_count[kind]) {
		return -ENOENT; /* outside the agent's index space: it does not exist for it */
	}
	g = &m->acfg->grants[kind][local];
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
