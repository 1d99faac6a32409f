/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Host port, SCMI side: what reached "hardware" (the simulated platform and its operation
 * log), the server's arbitration state and counters, and the knobs tests turn (sensor
 * values, injected failures, system power requests from the platform).
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

_Static_assert(VBE_HOST_SCMI_STATS == VBE_SCMI_STAT_COUNT &&
		       VBE_HOST_SCMI_STAT_EVENT_SHORT == VBE_SCMI_STAT_EVENT_SHORT,
	       "host.h mirrors enum vbe_scmi_stat");
_Static_assert(VBE_HOST_OP_CLOCK_ON == VBE_SIM_OP_CLOCK_ON &&
		       VBE_HOST_OP_SYSTEM == VBE_SIM_OP_SYSTEM &&
		       VBE_SIM_OP_COUNT == VBE_HOST_OP_SYSTEM + 1,
	       "host.h mirrors enum vbe_sim_op");

static bool host_agent_ok(struct vbe_host *h, int agent)
{
	const struct vbe_scmi_platform_cfg *c = vbe_host_scmi_cfg(h);

	return c != NULL && agent >= 1 && agent <= c->agent_count;
}

int vbe_host_scmi_perf_agent(struct vbe_host *h, int dom, int agent, uint32_t *requested,
			     uint32_t *lim_max, uint32_t *lim_min)
{
	if (!vbe_host_scmi_has(h, VBE_SCMI_RES_PERF, dom) || agent < 1 ||
	    agent > vbe_host_scmi_cfg(h)->agent_count || !h->started) {
		return -ENOENT;
	}
	*requested = h->sys.scmi.perf[dom].req[agent - 1];
	*lim_max = h->sys.scmi.perf[dom].max[agent - 1];
	*lim_min = h->sys.scmi.perf[dom].min[agent - 1];
	return 0;
}

int vbe_host_scmi_res_state(struct vbe_host *h, int kind, int idx, int *on, int64_t *value,
			    uint32_t *votes)
{
	struct vbe_sim_res_state st;
	int rc;

	if (!vbe_host_scmi_has(h, kind, idx)) {
		return -ENOENT;
	}
	rc = vbe_sim_res_state(&h->sim, h->cfg, h->started ? &h->sys.scmi : NULL,
			       (unsigned int)kind, (uint16_t)idx, &st);
	if (rc == 0) {
		*on = st.on;
		*value = st.value;
		*votes = st.votes;
	}
	return rc;
}

int vbe_host_scmi_sensor_set(struct vbe_host *h, int sensor, int64_t value)
{
	if (!vbe_host_scmi_has(h, VBE_SCMI_RES_SENSOR, sensor)) {
		return -ENOENT;
	}
	/* the same call as the bare-metal image's mailbox: set, then sample (trip points) */
	return vbe_sim_res_sensor_set(&h->sim, h->cfg, h->started ? &h->sys.scmi : NULL,
				      (uint16_t)sensor, value);
}

int vbe_host_scmi_system_state(struct vbe_host *h, int agent, uint32_t *state,
			       uint32_t *requests)
{
	if (!host_agent_ok(h, agent) ||
	    agent > VBE_SIM_MAX_AGENTS) {
		return -ENOENT;
	}
	*state = h->sim.scmi.sys_state[agent - 1];
	*requests = h->sim.scmi.sys_requests[agent - 1];
	return 0;
}

int vbe_host_scmi_system_notify(struct vbe_host *h, int agent, uint32_t flags, uint32_t state,
				uint32_t timeout_ms)
{
	if (!host_agent_ok(h, agent)) {
		return -ENOENT;
	}
	if (!h->started) {
		return -EAGAIN;
	}
	return vbe_scmi_system_notify(&h->sys.scmi, (uint8_t)agent, flags, state, timeout_ms);
}

int vbe_host_scmi_agent_perms(struct vbe_host *h, int agent, uint32_t *dev_denied,
			      uint16_t *proto_denied)
{
	const struct vbe_scmi_platform_cfg *c = vbe_host_scmi_cfg(h);

	if (c == NULL || agent < 1 || agent > c->agent_count || !h->started) {
		return -ENOENT;
	}
	*dev_denied = h->sys.scmi.agent[agent - 1].dev_denied;
	memcpy(proto_denied, h->sys.scmi.agent[agent - 1].proto_denied,
	       c->device_count * sizeof(proto_denied[0]));
	return 0;
}

int vbe_host_scmi_stats(struct vbe_host *h, int agent, uint32_t *stats)
{
	const struct vbe_scmi_dev *dev;

	if (!host_agent_ok(h, agent) ||
	    !h->started) {
		return -ENOENT;
	}
	dev = h->sys.scmi.agent[agent - 1].dev;
	if (dev == NULL) {
		return -ENOENT;
	}
	memcpy(stats, dev->stats, sizeof(dev->stats));
	return 0;
}

uint32_t vbe_host_plat_log_seq(struct vbe_host *h)
{
	return h->sim.scmi.log_seq;
}

int vbe_host_plat_log_get(struct vbe_host *h, uint32_t seq, int *op, int *id, int64_t *value,
			  uint32_t *arg, int32_t *result)
{
	struct vbe_sim_op_entry e;
	int rc = vbe_sim_op_get(&h->sim, seq, &e);

	if (rc != 0) {
		return rc;
	}
	*op = e.op;
	*id = e.id;
	*value = e.value;
	*arg = e.arg;
	*result = e.result;
	return 0;
}

int vbe_host_sim_fail_next(struct vbe_host *h, int op, int err)
{
	return vbe_sim_fail_next(&h->sim, (enum vbe_sim_op)op, err);
}

int32_t vbe_host_scmi_status_from_errno(int err)
{
	return vbe_scmi_status_from_errno(err);
}

const char *vbe_host_scmi_status_str(int32_t status)
{
	return vbe_scmi_status_str(status);
}
