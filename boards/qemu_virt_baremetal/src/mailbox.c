/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The platform mailbox (layout and protocol: mailbox_layout.h): how the harness reaches
 * the simulated platform inside the image, the way the host port's vbe_host_sim_* calls
 * reach it in-process. One command at a time, run from the service loop.
 */

#include <errno.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <vbe/port.h>
#include <vbe/scmi.h>
#include <vbe/shmem.h>
#include <vbe/sim.h>
#include <vbe/sys.h>

#include "board.h"
#include "harness.h"
#include "mailbox_layout.h"
#include "prof.h"

_Static_assert(sizeof(struct bm_mailbox) <= 4096, "the mailbox fits one page");
_Static_assert(offsetof(struct bm_mailbox, cmd_seq) % 64 == 0, "harness half on its own line");
_Static_assert(offsetof(struct bm_mailbox, ack_seq) % 64 == 0, "image half on its own line");
_Static_assert(sizeof(struct bm_mbx_log_entry) <= BM_MBX_DATA_SIZE, "a log entry fits");
_Static_assert(VBE_SIM_AT24_SIZE <= BM_MBX_DATA_SIZE, "an EEPROM fits");
_Static_assert(VBE_SIM_LOG_MSGS == 4 && VBE_SIM_LOG_BYTES == 16, "log entry layout");
_Static_assert(offsetof(struct bm_mailbox, data) % 8 == 0, "data[] is 8-byte aligned");
_Static_assert(offsetof(struct bm_mailbox, prof) == 0x300, "the profile at +0x300");
_Static_assert(sizeof(struct bm_mbx_prof) % 8 == 0, "the profile has no tail padding");
_Static_assert(sizeof(struct bm_mbx_scmi_state) == 16 && sizeof(struct bm_mbx_op_entry) == 32,
	       "SCMI entries have no hidden padding");

/* Read by the build's manifest step (gen_manifest.py): keep the names. */
struct bm_mailbox vbe_bm_mailbox __attribute__((aligned(4096)));
BM_KEEP const uint32_t vbe_bm_mailbox_version = BM_MBX_VERSION;

static struct vbe_sim *mbx_sim;
static struct vbe_sys *mbx_sys;

void bm_mailbox_init(struct vbe_sim *sim, struct vbe_sys *sys)
{
	struct bm_mailbox *m = &vbe_bm_mailbox;

	mbx_sim = sim;
	mbx_sys = sys;
	vbe_st32(&m->version, BM_MBX_VERSION);
	vbe_st32(&m->size, sizeof(*m));
	vbe_st32(&m->ack_seq, vbe_ld32(&m->cmd_seq));
	memset(&m->prof, 0, sizeof(m->prof));
	m->prof.enabled = BM_PROF_ON;
	m->prof.freq_hz = (uint32_t)bm_timer_freq();
	/* Everything above before the magic: pairs with the harness's check of magic first. */
	vbe_wmb();
	vbe_st32(&m->magic, BM_MBX_MAGIC);
}

/* Answer data: byte stores, so no alignment assumption about the source. */
static int32_t mbx_put(struct bm_mailbox *m, const void *src, uint32_t len)
{
	const uint8_t *p = src;

	for (uint32_t i = 0U; i < len; i++) {
		vbe_st8(&m->data[i], p[i]);
	}
	vbe_st32(&m->data_len, len);
	return 0;
}

static int32_t mbx_eeprom(struct bm_mailbox *m, uint8_t bus, uint16_t addr)
{
	const struct vbe_sim_target *t = vbe_sim_find(mbx_sim, bus, addr);

	if (t == NULL || t->kind != VBE_SIM_AT24) {
		return -ENODEV;
	}
	return mbx_put(m, t->u.at24.mem, VBE_SIM_AT24_SIZE);
}

static int32_t mbx_log_get(struct bm_mailbox *m, uint32_t seq)
{
	struct vbe_sim_log_entry e;
	struct bm_mbx_log_entry out;
	int rc = vbe_sim_log_get(mbx_sim, seq, &e);

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
	return mbx_put(m, &out, sizeof(out));
}

/* The same core calls the host library makes (vbe_host_scmi_res_state and friends). */
static int32_t mbx_scmi_state(struct bm_mailbox *m, int32_t kind, int32_t idx)
{
	struct vbe_sim_res_state st;
	struct bm_mbx_scmi_state out;
	int rc;

	if (kind < 0 || idx < 0 || idx > UINT16_MAX) {
		return -ENOENT;
	}
	rc = vbe_sim_res_state(mbx_sim, mbx_sys->cfg, &mbx_sys->scmi, (unsigned int)kind,
			       (uint16_t)idx, &st);
	if (rc != 0) {
		return rc;
	}
	memset(&out, 0, sizeof(out));
	out.value = st.value;
	out.votes = st.votes;
	out.on = st.on ? 1U : 0U;
	return mbx_put(m, &out, sizeof(out));
}

static int32_t mbx_scmi_sensor(int32_t idx, uint32_t lo, uint32_t hi)
{
	int64_t value = (int64_t)(((uint64_t)hi << 32) | lo);

	if (idx < 0 || idx > UINT16_MAX) {
		return -ENOENT;
	}
	return vbe_sim_res_sensor_set(mbx_sim, mbx_sys->cfg, &mbx_sys->scmi, (uint16_t)idx, value);
}

static int32_t mbx_scmi_system(struct bm_mailbox *m, int32_t agent)
{
	struct bm_mbx_scmi_system out;
	int rc;

	if (agent < 0) {
		return -ENOENT;
	}
	rc = vbe_sim_system_state(mbx_sim, mbx_sys->cfg, (unsigned int)agent, &out.state,
				  &out.requests);
	return rc != 0 ? rc : mbx_put(m, &out, sizeof(out));
}

/* The platform asks an agent to change its system power state (vbe_host_scmi_system_notify). */
static int32_t mbx_scmi_notify(int32_t agent, uint32_t flags, uint32_t state, uint32_t timeout)
{
	const struct vbe_scmi_platform_cfg *c = mbx_sys->cfg->scmi;

	if (c == NULL || agent < 1 || agent > c->agent_count) {
		return -ENOENT;
	}
	return vbe_scmi_system_notify(&mbx_sys->scmi, (uint8_t)agent, flags, state, timeout);
}

static int32_t mbx_op_get(struct bm_mailbox *m, uint32_t seq)
{
	struct vbe_sim_op_entry e;
	struct bm_mbx_op_entry out;
	int rc = vbe_sim_op_get(mbx_sim, seq, &e);

	if (rc != 0) {
		return rc;
	}
	memset(&out, 0, sizeof(out));
	out.value = e.value;
	out.seq = e.seq;
	out.arg = e.arg;
	out.result = e.result;
	out.index = vbe_sim_op_index(mbx_sys->cfg, &e);
	out.id = e.id;
	out.op = e.op;
	return mbx_put(m, &out, sizeof(out));
}

static int32_t mbx_run(struct bm_mailbox *m, uint32_t cmd)
{
	int32_t a0 = (int32_t)vbe_ld32(&m->arg[0]);
	int32_t a1 = (int32_t)vbe_ld32(&m->arg[1]);
	int32_t a2 = (int32_t)vbe_ld32(&m->arg[2]);
	uint32_t a3 = vbe_ld32(&m->arg[3]);

	vbe_st32(&m->data_len, 0U);
	switch (cmd) {
	case BM_MBX_CMD_NOP:
		return 0;
	case BM_MBX_CMD_SET_TEMP:
		return vbe_sim_lm75_set_temp(mbx_sim, (uint8_t)a0, (uint16_t)a1, a2);
	case BM_MBX_CMD_EEPROM:
		return mbx_eeprom(m, (uint8_t)a0, (uint16_t)a1);
	case BM_MBX_CMD_LOG_SEQ:
		return (int32_t)mbx_sim->log_seq;
	case BM_MBX_CMD_LOG_GET:
		return mbx_log_get(m, (uint32_t)a0);
	case BM_MBX_CMD_IDLE:
		if (a0 < 0 || a1 < 0) {
			return -EINVAL;
		}
		bm_doorbell_set_idle((uint32_t)a0, (uint32_t)a1);
		return 0;
	case BM_MBX_CMD_SCMI_STATE:
		return mbx_scmi_state(m, a0, a1);
	case BM_MBX_CMD_SCMI_SENSOR:
		return mbx_scmi_sensor(a0, (uint32_t)a1, (uint32_t)a2);
	case BM_MBX_CMD_SCMI_SYSTEM:
		return mbx_scmi_system(m, a0);
	case BM_MBX_CMD_OP_SEQ:
		return (int32_t)mbx_sim->scmi.log_seq;
	case BM_MBX_CMD_OP_GET:
		return mbx_op_get(m, (uint32_t)a0);
	case BM_MBX_CMD_SCMI_NOTIFY:
		return mbx_scmi_notify(a0, (uint32_t)a1, (uint32_t)a2, a3);
	case BM_MBX_CMD_TIME: {
		uint64_t now = bm_timer_ticks();

		return mbx_put(m, &now, sizeof(now));
	}
	default:
		return -ENOSYS;
	}
}

bool bm_mailbox_poll(void)
{
	struct bm_mailbox *m = &vbe_bm_mailbox;
	uint32_t seq = vbe_ld32(&m->cmd_seq);
	bool ignored;

	if (mbx_sim == NULL || seq == vbe_ld32(&m->ack_seq)) {
		return false;
	}
	/* Pairs with the harness writing cmd and arg[] before cmd_seq. */
	vbe_rmb();
	/* Serve what the driver published before this command, so the answer includes it. */
	vbe_sys_poll(mbx_sys, &ignored);
	vbe_st32(&m->result, (uint32_t)mbx_run(m, vbe_ld32(&m->cmd)));
	/* result and data before the acknowledgement: pairs with the harness's read after it. */
	vbe_wmb();
	vbe_st32(&m->ack_seq, seq);
	return true;
}
