/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Host port, SCMI side: the description pyhost's SCMI agent and tests read (agents, devices,
 * resources, grants, rates and levels). The simulated platform's power-on state comes
 * from vbe_sim_populate() (host_api.c).
 * State, knobs and the operation log are in host_scmi_state.c.
 */

#include <errno.h>
#include <stdbool.h>
#include <stdint.h>
#include <string.h>

#include <vbe/host.h>
#include <vbe/scmi.h>
#include <vbe/sim.h>
#include <vbe/sys.h>

#include "host_internal.h"

_Static_assert(VBE_HOST_SCMI_KINDS == VBE_SCMI_RES_COUNT &&
		       VBE_HOST_SCMI_CLOCK == VBE_SCMI_RES_CLOCK &&
		       VBE_HOST_SCMI_VOLTAGE == VBE_SCMI_RES_VOLTAGE,
	       "host.h mirrors enum vbe_scmi_res");
_Static_assert(VBE_HOST_SCMI_PERM_STATE == VBE_SCMI_PERM_STATE &&
		       VBE_HOST_SCMI_PERM_LEVEL == VBE_SCMI_PERM_LEVEL &&
		       VBE_HOST_SCMI_PERM_CONFIG == VBE_SCMI_PERM_CONFIG,
	       "host.h mirrors VBE_SCMI_PERM_*");
_Static_assert(VBE_HOST_SCMI_AGENT_PRIVILEGED == VBE_SCMI_AGENT_PRIVILEGED &&
		       VBE_HOST_SCMI_AGENT_SYSTEM_POWER == VBE_SCMI_AGENT_SYSTEM_POWER,
	       "host.h mirrors VBE_SCMI_AGENT_*");

const struct vbe_scmi_platform_cfg *vbe_host_scmi_cfg(struct vbe_host *h)
{
	return (h != NULL && h->cfg != NULL) ? h->cfg->scmi : NULL;
}

/* Count of platform resources of @p kind; 0 without SCMI or for a bad kind. */
static int host_count(const struct vbe_scmi_platform_cfg *c, int kind)
{
	if (c == NULL) {
		return 0;
	}
	switch (kind) {
	case VBE_SCMI_RES_CLOCK:
		return c->clock_count;
	case VBE_SCMI_RES_POWER:
		return c->power_count;
	case VBE_SCMI_RES_PERF:
		return c->perf_count;
	case VBE_SCMI_RES_SENSOR:
		return c->sensor_count;
	case VBE_SCMI_RES_RESET:
		return c->reset_count;
	case VBE_SCMI_RES_VOLTAGE:
		return c->voltage_count;
	default:
		return 0;
	}
}

bool vbe_host_scmi_has(struct vbe_host *h, int kind, int idx)
{
	return idx >= 0 && idx < host_count(vbe_host_scmi_cfg(h), kind);
}

int vbe_host_scmi_agent_count(struct vbe_host *h)
{
	const struct vbe_scmi_platform_cfg *c = vbe_host_scmi_cfg(h);

	return c != NULL ? c->agent_count : 0;
}

int vbe_host_scmi_agent(struct vbe_host *h, int agent, const char **name, uint32_t *flags,
			int *guest)
{
	const struct vbe_scmi_platform_cfg *c = vbe_host_scmi_cfg(h);

	if (c == NULL || agent < 1 || agent > c->agent_count) {
		return -ENOENT;
	}
	*name = c->agents[agent - 1].name;
	*flags = c->agents[agent - 1].flags;
	*guest = -1;
	for (int g = 0; g < h->cfg->guest_count; g++) {
		if (h->cfg->guests[g].scmi_agent == agent) {
			*guest = g;
		}
	}
	return 0;
}

int vbe_host_scmi_guest_agent(struct vbe_host *h, int guest)
{
	if (h == NULL || guest < 0 || guest >= h->cfg->guest_count) {
		return 0;
	}
	return h->cfg->guests[guest].scmi_agent;
}

int vbe_host_scmi_vendor(struct vbe_host *h, const char **vendor, const char **sub_vendor,
			 uint32_t *impl_version)
{
	const struct vbe_scmi_platform_cfg *c = vbe_host_scmi_cfg(h);

	if (c == NULL) {
		return -ENOENT;
	}
	*vendor = c->vendor;
	*sub_vendor = c->sub_vendor;
	*impl_version = c->impl_version;
	return 0;
}

int vbe_host_scmi_device(struct vbe_host *h, int idx, const char **name)
{
	const struct vbe_scmi_platform_cfg *c = vbe_host_scmi_cfg(h);

	if (c == NULL) {
		return 0;
	}
	if (idx >= 0 && idx < c->device_count) {
		*name = c->devices[idx];
	}
	return c->device_count;
}

/* Name, device and platform id of resource @p idx of @p kind (which exists). */
static void host_res_info(const struct vbe_scmi_platform_cfg *c, int kind, int idx,
			  const char **name, uint8_t *dev, uint16_t *pid)
{
	switch (kind) {
	case VBE_SCMI_RES_CLOCK:
		*name = c->clocks[idx].name;
		*dev = c->clocks[idx].device;
		*pid = c->clocks[idx].plat_id;
		break;
	case VBE_SCMI_RES_POWER:
		*name = c->power[idx].name;
		*dev = c->power[idx].device;
		*pid = c->power[idx].plat_id;
		break;
	case VBE_SCMI_RES_PERF:
		*name = c->perf[idx].name;
		*dev = c->perf[idx].device;
		*pid = c->perf[idx].plat_id;
		break;
	case VBE_SCMI_RES_SENSOR:
		*name = c->sensors[idx].name;
		*dev = c->sensors[idx].device;
		*pid = c->sensors[idx].plat_id;
		break;
	case VBE_SCMI_RES_RESET:
		*name = c->resets[idx].name;
		*dev = c->resets[idx].device;
		*pid = c->resets[idx].plat_id;
		break;
	default:
		*name = c->voltages[idx].name;
		*dev = c->voltages[idx].device;
		*pid = c->voltages[idx].plat_id;
		break;
	}
}

int vbe_host_scmi_resource(struct vbe_host *h, int kind, int idx, const char **name,
			   int *device, int *plat_id)
{
	const struct vbe_scmi_platform_cfg *c = vbe_host_scmi_cfg(h);
	uint8_t dev;
	uint16_t pid;

	if (vbe_host_scmi_has(h, kind, idx)) {
		host_res_info(c, kind, idx, name, &dev, &pid);
		*device = (dev == VBE_SCMI_NO_DEVICE) ? -1 : dev;
		*plat_id = pid;
	}
	return host_count(c, kind);
}

int vbe_host_scmi_grant(struct vbe_host *h, int agent, int kind, int local, int *res,
			uint32_t *perms)
{
	const struct vbe_scmi_platform_cfg *c = vbe_host_scmi_cfg(h);
	const struct vbe_scmi_agent_cfg *a;

	if (c == NULL || agent < 1 || agent > c->agent_count || kind < 0 ||
	    kind >= VBE_SCMI_RES_COUNT) {
		return -ENOENT;
	}
	a = &c->agents[agent - 1];
	if (local >= 0 && local < a->grant_count[kind]) {
		*res = a->grants[kind][local].res;
		*perms = a->grants[kind][local].perms;
	}
	return a->grant_count[kind];
}

int vbe_host_scmi_local_id(struct vbe_host *h, int agent, int kind, int res)
{
	const struct vbe_scmi_platform_cfg *c = vbe_host_scmi_cfg(h);
	const struct vbe_scmi_agent_cfg *a;

	if (c == NULL || agent < 1 || agent > c->agent_count || kind < 0 ||
	    kind >= VBE_SCMI_RES_COUNT) {
		return -ENOENT;
	}
	a = &c->agents[agent - 1];
	for (int i = 0; i < a->grant_count[kind]; i++) {
		if (a->grants[kind][i].res == res) {
			return i;
		}
	}
	return -ENOENT;
}

int vbe_host_scmi_clock_rates(struct vbe_host *h, int clk, uint64_t *rates, int max,
			      int *is_range)
{
	const struct vbe_scmi_clock_cfg *c;

	if (!vbe_host_scmi_has(h, VBE_SCMI_RES_CLOCK, clk)) {
		return -ENOENT;
	}
	c = &vbe_host_scmi_cfg(h)->clocks[clk];
	*is_range = (c->flags & VBE_SCMI_RES_F_RANGE) != 0U;
	for (int i = 0; i < c->rate_count && i < max; i++) {
		rates[i] = c->rates[i];
	}
	return c->rate_count;
}

int vbe_host_scmi_voltage_levels(struct vbe_host *h, int reg, int32_t *levels, int max,
				 int *is_range)
{
	const struct vbe_scmi_voltage_cfg *c;

	if (!vbe_host_scmi_has(h, VBE_SCMI_RES_VOLTAGE, reg)) {
		return -ENOENT;
	}
	c = &vbe_host_scmi_cfg(h)->voltages[reg];
	*is_range = (c->flags & VBE_SCMI_RES_F_RANGE) != 0U;
	for (int i = 0; i < c->level_count && i < max; i++) {
		levels[i] = c->levels[i];
	}
	return c->level_count;
}

int vbe_host_scmi_perf_levels(struct vbe_host *h, int dom, uint32_t *levels,
			      uint32_t *freq_khz, int max)
{
	const struct vbe_scmi_perf_cfg *c;

	if (!vbe_host_scmi_has(h, VBE_SCMI_RES_PERF, dom)) {
		return -ENOENT;
	}
	c = &vbe_host_scmi_cfg(h)->perf[dom];
	for (int i = 0; i < c->level_count && i < max; i++) {
		levels[i] = c->levels[i].level;
		freq_khz[i] = c->levels[i].freq_khz;
	}
	return c->level_count;
}

int vbe_host_scmi_sensor_info(struct vbe_host *h, int sensor, int *unit, int *scale,
			      int *trip_count)
{
	const struct vbe_scmi_sensor_cfg *c;

	if (!vbe_host_scmi_has(h, VBE_SCMI_RES_SENSOR, sensor)) {
		return -ENOENT;
	}
	c = &vbe_host_scmi_cfg(h)->sensors[sensor];
	*unit = c->unit;
	*scale = c->scale;
	*trip_count = c->trip_count;
	return 0;
}
