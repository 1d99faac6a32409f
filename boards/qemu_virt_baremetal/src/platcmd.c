/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The platform commands (platcmd.h): the same core calls the host library makes
 * (vbe_host_sim_*, vbe_host_scmi_*), answers laid out as mailbox_layout.h says.
 */

#include <errno.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <vbe/scmi.h>
#include <vbe/sim.h>
#include <vbe/sys.h>

#include "platcmd.h"

_Static_assert(sizeof(struct bm_mbx_log_entry) <= BM_MBX_DATA_SIZE, "a log entry fits");
_Static_assert(VBE_SIM_AT24_SIZE <= BM_MBX_DATA_SIZE, "an EEPROM fits");
_Static_assert(VBE_SIM_LOG_MSGS == 4 && VBE_SIM_LOG_BYTES == 16, "log entry layout");
_Static_assert(sizeof(struct bm_mbx_scmi_state) == 16 && sizeof(struct bm_mbx_op_entry) == 32,
	       "SCMI entries have no hidden padding");

static int32_t put(uint8_t *data, uint32_t *len, const void *src, uint32_t n)
{
	memcpy(data, src, n);
	*len = n;
	return 0;
}

static int32_t cmd_eeprom(const struct bm_platcmd_ctx *c, uint8_t *data, uint32_t *len,
			  uint8_t bus, uint16_t addr)
{
	const struct vbe_sim_target *t = vbe_sim_find(c->sim, bus, addr);

	if (t == NULL || t->kind != VBE_SIM_AT24) {
		return -ENODEV;
	}
	return put(data, len, t->u.at24.mem, VBE_SIM_AT24_SIZE);
}

static int32_t cmd_log_get(const struct bm_platcmd_ctx *c, uint8_t *data, uint32_t *len,
			   uint32_t seq)
{
	struct vbe_sim_log_entry e;
	struct bm_mbx_log_entry out;
	int rc = vbe_sim_log_get(c->sim, seq, &e);

	if (rc != 0) {
		return rc;
	}
	memset(&out, 0, sizeof(out));
	out.seq = e.seq;
	out.bus = e.bus;
	out.num_msgs = e.num_msgs < 4U ? e.num_msgs : 4U;
	out.addr = e.addr;
	out.result = e.result;
	for (unsigned int i = 0U; i < out.num_msgs; i++) {
		out.msgs[i].flags = e.msgs[i].flags;
		out.msgs[i].len = e.msgs[i].len;
		memcpy(out.msgs[i].data, e.msgs[i].data, sizeof(out.msgs[i].data));
	}
	return put(data, len, &out, sizeof(out));
}

static int32_t cmd_scmi_state(const struct bm_platcmd_ctx *c, uint8_t *data, uint32_t *len,
			      int32_t kind, int32_t idx)
{
	struct vbe_sim_res_state st;
	struct bm_mbx_scmi_state out;
	int rc;

	if (kind < 0 || idx < 0 || idx > UINT16_MAX) {
		return -ENOENT;
	}
	rc = vbe_sim_res_state(c->sim, c->cfg, c->scmi, (unsigned int)kind, (uint16_t)idx, &st);
	if (rc != 0) {
		return rc;
	}
	memset(&out, 0, sizeof(out));
	out.value = st.value;
	out.votes = st.votes;
	out.on = st.on ? 1U : 0U;
	return put(data, len, &out, sizeof(out));
}

static int32_t cmd_scmi_sensor(const struct bm_platcmd_ctx *c, int32_t idx, uint32_t lo,
			       uint32_t hi)
{
	int64_t value = (int64_t)(((uint64_t)hi << 32) | lo);

	if (idx < 0 || idx > UINT16_MAX) {
		return -ENOENT;
	}
	return vbe_sim_res_sensor_set(c->sim, c->cfg, c->scmi, (uint16_t)idx, value);
}

static int32_t cmd_scmi_system(const struct bm_platcmd_ctx *c, uint8_t *data, uint32_t *len,
			       int32_t agent)
{
	struct bm_mbx_scmi_system out;
	int rc;

	if (agent < 0) {
		return -ENOENT;
	}
	rc = vbe_sim_system_state(c->sim, c->cfg, (unsigned int)agent, &out.state, &out.requests);
	return rc != 0 ? rc : put(data, len, &out, sizeof(out));
}

/* The platform asks an agent to change its system power state (vbe_host_scmi_system_notify). */
static int32_t cmd_scmi_notify(const struct bm_platcmd_ctx *c, int32_t agent, uint32_t flags,
			       uint32_t state, uint32_t timeout)
{
	const struct vbe_scmi_platform_cfg *sc = c->cfg->scmi;

	if (sc == NULL || agent < 1 || agent > sc->agent_count) {
		return -ENOENT;
	}
	return vbe_scmi_system_notify(c->scmi, (uint8_t)agent, flags, state, timeout);
}

static int32_t cmd_op_get(const struct bm_platcmd_ctx *c, uint8_t *data, uint32_t *len,
			  uint32_t seq)
{
	struct vbe_sim_op_entry e;
	struct bm_mbx_op_entry out;
	int rc = vbe_sim_op_get(c->sim, seq, &e);

	if (rc != 0) {
		return rc;
	}
	memset(&out, 0, sizeof(out));
	out.value = e.value;
	out.seq = e.seq;
	out.arg = e.arg;
	out.result = e.result;
	out.index = vbe_sim_op_index(c->cfg, &e);
	out.id = e.id;
	out.op = e.op;
	return put(data, len, &out, sizeof(out));
}

int32_t bm_platcmd_run(const struct bm_platcmd_ctx *c, uint32_t cmd, const int32_t arg[4],
		       uint8_t data[BM_MBX_DATA_SIZE], uint32_t *len)
{
	*len = 0U;
	switch (cmd) {
	case BM_MBX_CMD_NOP:
		return 0;
	case BM_MBX_CMD_SET_TEMP:
		return vbe_sim_lm75_set_temp(c->sim, (uint8_t)arg[0], (uint16_t)arg[1], arg[2]);
	case BM_MBX_CMD_EEPROM:
		return cmd_eeprom(c, data, len, (uint8_t)arg[0], (uint16_t)arg[1]);
	case BM_MBX_CMD_LOG_SEQ:
		return (int32_t)c->sim->log_seq;
	case BM_MBX_CMD_LOG_GET:
		return cmd_log_get(c, data, len, (uint32_t)arg[0]);
	case BM_MBX_CMD_SCMI_STATE:
		return cmd_scmi_state(c, data, len, arg[0], arg[1]);
	case BM_MBX_CMD_SCMI_SENSOR:
		return cmd_scmi_sensor(c, arg[0], (uint32_t)arg[1], (uint32_t)arg[2]);
	case BM_MBX_CMD_SCMI_SYSTEM:
		return cmd_scmi_system(c, data, len, arg[0]);
	case BM_MBX_CMD_OP_SEQ:
		return (int32_t)c->sim->scmi.log_seq;
	case BM_MBX_CMD_OP_GET:
		return cmd_op_get(c, data, len, (uint32_t)arg[0]);
	case BM_MBX_CMD_SCMI_NOTIFY:
		return cmd_scmi_notify(c, arg[0], (uint32_t)arg[1], (uint32_t)arg[2],
				       (uint32_t)arg[3]);
	default:
		return -ENOSYS;
	}
}
