/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The server: checks the const platform configuration once, keeps the state shared by the
 * agents, and releases an agent's holds (RESET_AGENT_CONFIGURATION, DEN0056E 4.2.2.12; a
 * device reset; a device or protocol permission taken away).
 */

#include <errno.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <vbe/port.h>
#include <vbe/scmi.h>
#include <vbe/shmem.h>

#include "scmi_internal.h"

/*
 * A rate or level table is a list of 1..VBE_SCMI_MAX_LEVELS strictly ascending values, or a
 * range {min, max, step} with min <= max and step > 0. scmi_levels_ok() checks its size,
 * scmi_level_ok() its entry @p i (value @p v, after @p prev).
 */
static bool scmi_levels_ok(const void *table, uint8_t n, bool range)
{
	return table != NULL && (range ? n == 3U : (n > 0U && n <= VBE_SCMI_MAX_LEVELS));
}

static bool scmi_level_ok(uint8_t i, int64_t prev, int64_t v, bool range)
{
	if (range) {
		return i != 2U ? (i == 0U || prev <= v) : v > 0;
	}
	return i == 0U || prev < v;
}

static bool scmi_clocks_ok(const struct vbe_scmi_platform_cfg *cfg)
{
	for (uint8_t i = 0; i < cfg->clock_count; i++) {
		const struct vbe_scmi_clock_cfg *c = &cfg->clocks[i];
		bool range = (c->flags & VBE_SCMI_RES_F_RANGE) != 0U;

		if (!scmi_levels_ok(c->rates, c->rate_count, range)) {
			return false;
		}
		for (uint8_t r = 0; r < c->rate_count; r++) {
			if (c->rates[r] > (uint64_t)INT64_MAX ||
			    !scmi_level_ok(r, r > 0U ? (int64_t)c->rates[r - 1U] : 0,
					   (int64_t)c->rates[r], range)) {
				return false;
			}
		}
	}
	return true;
}

/* How many resources of each kind the server's state has room for. */
static const uint8_t scmi_res_max[] = {
	[VBE_SCMI_RES_CLOCK] = VBE_SCMI_MAX_CLOCKS,   [VBE_SCMI_RES_POWER] = VBE_SCMI_MAX_POWER,
	[VBE_SCMI_RES_PERF] = VBE_SCMI_MAX_PERF,      [VBE_SCMI_RES_SENSOR] = VBE_SCMI_MAX_SENSORS,
	[VBE_SCMI_RES_RESET] = VBE_SCMI_MAX_RESETS,   [VBE_SCMI_RES_VOLTAGE] = VBE_SCMI_MAX_VOLTAGE,
};

_Static_assert(SCMI_ARRAY_SIZE(scmi_res_max) == VBE_SCMI_RES_COUNT, "a limit per kind");

/* Every kind: no more than the state holds; every resource: a name, a device that exists. */
static bool scmi_common_ok(const struct vbe_scmi_platform_cfg *cfg)
{
	for (unsigned int k = 0; k < VBE_SCMI_RES_COUNT; k++) {
		uint8_t n = vbe_scmi_res_count(cfg, (enum vbe_scmi_res)k);

		if (n > scmi_res_max[k]) {
			return false;
		}
		for (uint16_t i = 0; i < n; i++) {
			uint8_t dev = vbe_scmi_res_device(cfg, (enum vbe_scmi_res)k, i);

			if (vbe_scmi_res_name(cfg, (enum vbe_scmi_res)k, i) == NULL ||
			    (dev != VBE_SCMI_NO_DEVICE && dev >= cfg->device_count)) {
				return false;
			}
		}
	}
	return true;
}

static bool scmi_resources_ok(const struct vbe_scmi_platform_cfg *cfg)
{
	if (!scmi_common_ok(cfg)) {
		return false;
	}
	for (uint8_t i = 0; i < cfg->perf_count; i++) {
		const struct vbe_scmi_perf_cfg *p = &cfg->perf[i];

		/* level 0 means "no request" internally: real levels start at 1 */
		if (!scmi_levels_ok(p->levels, p->level_count, false) ||
		    p->sustained >= p->level_count || p->levels[0].level == 0U) {
			return false;
		}
		for (uint8_t l = 1; l < p->level_count; l++) {
			if (!scmi_level_ok(l, p->levels[l - 1U].level, p->levels[l].level, false)) {
				return false;
			}
		}
	}
	for (uint8_t i = 0; i < cfg->sensor_count; i++) {
		const struct vbe_scmi_sensor_cfg *s = &cfg->sensors[i];

		if (s->trip_count > VBE_SCMI_MAX_TRIPS || s->scale < -16 || s->scale > 15) {
			return false;
		}
	}
	for (uint8_t i = 0; i < cfg->voltage_count; i++) {
		const struct vbe_scmi_voltage_cfg *c = &cfg->voltages[i];
		bool range = (c->flags & VBE_SCMI_RES_F_RANGE) != 0U;

		if (!scmi_levels_ok(c->levels, c->level_count, range)) {
			return false;
		}
		for (uint8_t l = 0; l < c->level_count; l++) {
			int32_t prev = (l > 0U) ? c->levels[l - 1U] : 0;

			if (!scmi_level_ok(l, prev, c->levels[l], range)) {
				return false;
			}
		}
	}
	return scmi_clocks_ok(cfg);
}

/* Grants name existing resources, each at most once per agent (local ids are unique). */
static bool scmi_agents_ok(const struct vbe_scmi_platform_cfg *cfg)
{
	for (uint8_t a = 0; a < cfg->agent_count; a++) {
		const struct vbe_scmi_agent_cfg *ag = &cfg->agents[a];

		if (ag->name == NULL) {
			return false;
		}
		for (unsigned int k = 0; k < VBE_SCMI_RES_COUNT; k++) {
			const struct vbe_scmi_grant *g = ag->grants[k];

			if (ag->grant_count[k] > 0U && g == NULL) {
				return false;
			}
			for (uint8_t i = 0; i < ag->grant_count[k]; i++) {
				if (g[i].res >= vbe_scmi_res_count(cfg, (enum vbe_scmi_res)k) ||
				    (g[i].perms & ~VBE_SCMI_PERM_ALL) != 0U) {
					return false;
				}
				for (uint8_t j = 0; j < i; j++) {
					if (g[j].res == g[i].res) {
						return false;
					}
				}
			}
		}
	}
	return true;
}

int vbe_scmi_server_init(struct vbe_scmi_server *srv, const struct vbe_scmi_platform_cfg *cfg,
			 const struct vbe_plat *plat)
{
	if (srv == NULL || cfg == NULL || plat == NULL || cfg->agent_count > VBE_SCMI_MAX_AGENTS ||
	    (cfg->agent_count > 0U && cfg->agents == NULL) ||
	    cfg->device_count > VBE_SCMI_MAX_DEVICES ||
	    (cfg->device_count > 0U && cfg->devices == NULL)) {
		return -EINVAL;
	}
	if (!scmi_resources_ok(cfg) || !scmi_agents_ok(cfg)) {
		return -EINVAL;
	}
	memset(srv, 0, sizeof(*srv));
	srv->cfg = cfg;
	srv->plat = plat;
	for (uint8_t a = 0; a < VBE_SCMI_MAX_AGENTS; a++) {
		srv->agent[a].sys_state = VBE_SCMI_SYSTEM_POWER_UP;
	}
	for (uint8_t i = 0; i < cfg->power_count; i++) {
		srv->power[i].state = VBE_SCMI_POWER_OFF;
	}
	for (uint8_t i = 0; i < cfg->sensor_count; i++) {
		srv->sensor[i].config = 0x1; /* enabled (SENSOR_CONFIG_GET bit 0) */
	}
	for (uint8_t i = 0; i < cfg->voltage_count; i++) {
		srv->voltage[i].level_uv = cfg->voltages[i].initial_uv;
	}
	/* the platform is assumed to start at the lowest level, without limits */
	for (uint8_t d = 0; d < cfg->perf_count; d++) {
		const struct vbe_scmi_perf_cfg *p = &cfg->perf[d];

		for (uint8_t a = 1; a <= VBE_SCMI_MAX_AGENTS; a++) {
			vbe_scmi_perf_agent_defaults(srv, d, a);
		}
		srv->perf[d].level = p->levels[0].level;
		srv->perf[d].eff_min = p->levels[0].level;
		srv->perf[d].eff_max = p->levels[p->level_count - 1U].level;
	}
	return 0;
}

/* Release what @p agent holds on resource @p i of one kind: 0, or the platform's error. */
static int scmi_release_clock(struct vbe_scmi_server *srv, uint8_t agent, uint16_t i)
{
	srv->clock[i].notify_rate &= ~SCMI_AGENT_BIT(agent);
	srv->clock[i].notify_req &= ~SCMI_AGENT_BIT(agent);
	return vbe_scmi_clock_vote(srv, i, agent, false);
}

static int scmi_release_power(struct vbe_scmi_server *srv, uint8_t agent, uint16_t i)
{
	srv->power[i].notify &= ~SCMI_AGENT_BIT(agent); /* a release it caused is not news to it */
	return vbe_scmi_power_vote(srv, i, agent, false);
}

static int scmi_release_perf(struct vbe_scmi_server *srv, uint8_t agent, uint16_t i)
{
	srv->perf[i].notify_level &= ~SCMI_AGENT_BIT(agent);
	srv->perf[i].notify_limits &= ~SCMI_AGENT_BIT(agent);
	vbe_scmi_perf_agent_defaults(srv, i, agent);
	return vbe_scmi_perf_update(srv, i, agent);
}

static int scmi_release_sensor(struct vbe_scmi_server *srv, uint8_t agent, uint16_t i)
{
	srv->sensor[i].notify_trip &= ~SCMI_AGENT_BIT(agent);
	memset(srv->sensor[i].trip[agent - 1U], 0, sizeof(srv->sensor[i].trip[0]));
	return 0;
}

static int scmi_release_reset(struct vbe_scmi_server *srv, uint8_t agent, uint16_t i)
{
	srv->reset[i].notify &= ~SCMI_AGENT_BIT(agent);
	return vbe_scmi_reset_vote(srv, i, agent, false);
}

static int scmi_release_voltage(struct vbe_scmi_server *srv, uint8_t agent, uint16_t i)
{
	return vbe_scmi_voltage_vote(srv, i, agent, false);
}

/* Per kind, in enum order: how to release one resource, and its name for the log. */
static int (*const scmi_releasers[])(struct vbe_scmi_server *srv, uint8_t agent, uint16_t i) = {
	[VBE_SCMI_RES_CLOCK] = scmi_release_clock,   [VBE_SCMI_RES_POWER] = scmi_release_power,
	[VBE_SCMI_RES_PERF] = scmi_release_perf,     [VBE_SCMI_RES_SENSOR] = scmi_release_sensor,
	[VBE_SCMI_RES_RESET] = scmi_release_reset,   [VBE_SCMI_RES_VOLTAGE] = scmi_release_voltage,
};

static const char *const scmi_res_names[] = {
	[VBE_SCMI_RES_CLOCK] = "clock",       [VBE_SCMI_RES_POWER] = "power domain",
	[VBE_SCMI_RES_PERF] = "perf domain",  [VBE_SCMI_RES_SENSOR] = "sensor",
	[VBE_SCMI_RES_RESET] = "reset",       [VBE_SCMI_RES_VOLTAGE] = "regulator",
};

_Static_assert(SCMI_ARRAY_SIZE(scmi_releasers) == VBE_SCMI_RES_COUNT &&
		       SCMI_ARRAY_SIZE(scmi_res_names) == VBE_SCMI_RES_COUNT,
	       "a releaser and a name per kind");

void vbe_scmi_release(struct vbe_scmi_server *srv, uint8_t agent, int device, uint32_t kinds)
{
	for (unsigned int k = 0; k < VBE_SCMI_RES_COUNT; k++) {
		enum vbe_scmi_res kind = (enum vbe_scmi_res)k;

		if ((kinds & (1U << k)) == 0U) {
			continue;
		}
		uint16_t n = vbe_scmi_res_count(srv->cfg, kind);

		for (uint16_t i = 0; i < n; i++) {
			int rc;

			if (device != SCMI_ALL_DEVICES &&
			    vbe_scmi_res_device(srv->cfg, kind, i) != device) {
				continue;
			}
			rc = scmi_releasers[k](srv, agent, i);
			if (rc != 0) {
				VBE_LOG(VBE_LOG_WRN, "scmi: agent %u: releasing %s %u failed (%d)",
					(unsigned int)agent, scmi_res_names[k], (unsigned int)i,
					rc);
			}
		}
	}
}

int vbe_scmi_agent_reset(struct vbe_scmi_server *srv, uint8_t agent, bool perms)
{
	struct vbe_scmi_agent_state *a;

	if (vbe_scmi_agent_cfg(srv, agent) == NULL) {
		return -EINVAL;
	}
	a = &srv->agent[agent - 1U];
	vbe_scmi_release(srv, agent, SCMI_ALL_DEVICES, SCMI_ALL_KINDS);
	a->notify_errors = false;
	a->notify_system = false;
	a->sys_state = VBE_SCMI_SYSTEM_POWER_UP;
	if (perms) {
		a->dev_denied = 0;
		memset(a->proto_denied, 0, sizeof(a->proto_denied));
	}
	if (a->dev != NULL) {
		a->dev->delayed_head = 0;
		a->dev->delayed_count = 0;
	}
	return 0;
}

int vbe_scmi_system_notify(struct vbe_scmi_server *srv, uint8_t agent, uint32_t flags,
			   uint32_t state, uint32_t timeout_ms)
{
	/* SYSTEM_POWER_STATE_NOTIFIER (4.4.3.1): agent_id (0: platform), flags, state, timeout */
	uint32_t payload[4] = { VBE_SCMI_BASE_AGENT_PLATFORM, flags, state, timeout_ms };

	if (vbe_scmi_agent_cfg(srv, agent) == NULL) {
		return -EINVAL;
	}
	if (!srv->agent[agent - 1U].notify_system) {
		return -EAGAIN;
	}
	return vbe_scmi_notify_agent(srv, agent, VBE_SCMI_PROTO_SYSTEM,
				     VBE_SCMI_SYSTEM_POWER_STATE_NOTIFIER, payload, 4);
}
