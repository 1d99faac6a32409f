/* SPDX-License-Identifier: Apache-2.0 */
/*
 * vbe-xen's control channel: one text line in, the answer out. It is how the harness reaches
 * the simulated platform inside Dom0 (through `vbe-xen ctl ...` run on Dom0's console).
 *
 *   mbx CMD [A0 [A1 [A2 [A3]]]]   a platform mailbox command (numbers and answer layouts of
 *                                 boards/qemu_virt_baremetal/src/mailbox_layout.h, so
 *                                 pyhost.machine.qemu_platform decodes the answers):
 *                                 "result=R data=HEX"
 *   stats                         vx_stats() lines, then "result=0"
 *   destroy DOMID                 stop serving the domain (its devices reset: its SCMI
 *                                 votes go) and destroy it: "result=R"
 *   stop DOMID                    stop serving the domain only: "result=R"
 *   withhold DOMID MASK           offer the domain's devices their features less MASK from
 *                                 the next negotiation on (0x20000000: no EVENT_IDX), for
 *                                 measurements: "result=0"
 *
 * Numbers are C-style (strtol base 0). An unknown command or a bad number: "result=-22".
 */

#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <vbe/scmi.h>
#include <vbe/sim.h>

#include "mailbox_layout.h"
#include "xen_port.h"

struct vx_answer {
	int32_t result;
	uint8_t data[BM_MBX_DATA_SIZE];
	uint32_t len;
};

static int32_t put(struct vx_answer *a, const void *src, uint32_t len)
{
	if (len > sizeof(a->data)) {
		return -ENOSPC;
	}
	memcpy(a->data, src, len);
	a->len = len;
	return 0;
}

static int32_t mbx_log_get(struct vx_server *s, struct vx_answer *a, uint32_t seq)
{
	struct vbe_sim_log_entry e;
	struct bm_mbx_log_entry out;
	int rc = vbe_sim_log_get(&s->sim, seq, &e);

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
	return put(a, &out, sizeof(out));
}

static int32_t mbx_op_get(struct vx_server *s, struct vx_answer *a, uint32_t seq)
{
	struct vbe_sim_op_entry e;
	struct bm_mbx_op_entry out;
	int rc = vbe_sim_op_get(&s->sim, seq, &e);

	if (rc != 0) {
		return rc;
	}
	memset(&out, 0, sizeof(out));
	out.value = e.value;
	out.seq = e.seq;
	out.arg = e.arg;
	out.result = e.result;
	out.index = vbe_sim_op_index(s->cfg->sys, &e);
	out.id = e.id;
	out.op = e.op;
	return put(a, &out, sizeof(out));
}

/* The commands of mailbox_layout.h that mean something here (no doorbell, no profile). */
static int32_t mbx_run(struct vx_server *s, struct vx_answer *a, uint32_t cmd, const int32_t *arg)
{
	switch (cmd) {
	case BM_MBX_CMD_NOP:
		return 0;
	case BM_MBX_CMD_SET_TEMP:
		return vbe_sim_lm75_set_temp(&s->sim, (uint8_t)arg[0], (uint16_t)arg[1], arg[2]);
	case BM_MBX_CMD_EEPROM: {
		const struct vbe_sim_target *t = vbe_sim_find(&s->sim, (uint8_t)arg[0], (uint16_t)arg[1]);

		if (t == NULL || t->kind != VBE_SIM_AT24) {
			return -ENODEV;
		}
		return put(a, t->u.at24.mem, VBE_SIM_AT24_SIZE);
	}
	case BM_MBX_CMD_LOG_SEQ:
		return (int32_t)s->sim.log_seq;
	case BM_MBX_CMD_LOG_GET:
		return mbx_log_get(s, a, (uint32_t)arg[0]);
	case BM_MBX_CMD_SCMI_STATE: {
		struct vbe_sim_res_state st;
		struct bm_mbx_scmi_state out;
		int rc;

		if (arg[0] < 0 || arg[1] < 0 || arg[1] > UINT16_MAX) {
			return -ENOENT;
		}
		rc = vbe_sim_res_state(&s->sim, s->cfg->sys, &s->sys.scmi, (unsigned int)arg[0],
				       (uint16_t)arg[1], &st);
		if (rc != 0) {
			return rc;
		}
		memset(&out, 0, sizeof(out));
		out.value = st.value;
		out.votes = st.votes;
		out.on = st.on ? 1U : 0U;
		return put(a, &out, sizeof(out));
	}
	case BM_MBX_CMD_SCMI_SENSOR: {
		int64_t v = (int64_t)(((uint64_t)(uint32_t)arg[2] << 32) | (uint32_t)arg[1]);

		if (arg[0] < 0 || arg[0] > UINT16_MAX) {
			return -ENOENT;
		}
		return vbe_sim_res_sensor_set(&s->sim, s->cfg->sys, &s->sys.scmi, (uint16_t)arg[0], v);
	}
	case BM_MBX_CMD_SCMI_SYSTEM: {
		struct bm_mbx_scmi_system out;
		int rc;

		if (arg[0] < 0) {
			return -ENOENT;
		}
		rc = vbe_sim_system_state(&s->sim, s->cfg->sys, (unsigned int)arg[0], &out.state,
					  &out.requests);
		return rc != 0 ? rc : put(a, &out, sizeof(out));
	}
	case BM_MBX_CMD_OP_SEQ:
		return (int32_t)s->sim.scmi.log_seq;
	case BM_MBX_CMD_OP_GET:
		return mbx_op_get(s, a, (uint32_t)arg[0]);
	case BM_MBX_CMD_SCMI_NOTIFY: {
		const struct vbe_scmi_platform_cfg *c = s->cfg->sys->scmi;

		if (c == NULL || arg[0] < 1 || arg[0] > c->agent_count) {
			return -ENOENT;
		}
		return vbe_scmi_system_notify(&s->sys.scmi, (uint8_t)arg[0], (uint32_t)arg[1],
					      (uint32_t)arg[2], (uint32_t)arg[3]);
	}
	default:
		return -ENOSYS;
	}
}

static struct vx_dom *dom_by_id(struct vx_server *s, long id)
{
	for (unsigned int i = 0U; i < s->cfg->domain_count; i++) {
		if (s->dom[i].cfg != NULL && s->dom[i].cfg->domid == id) {
			return &s->dom[i];
		}
	}
	return NULL;
}

static int parse(const char *tok, long *out)
{
	char *end;

	if (tok == NULL) {
		return -EINVAL;
	}
	errno = 0;
	*out = strtol(tok, &end, 0);
	return (errno != 0 || *end != '\0') ? -EINVAL : 0;
}

int vx_ctl_run(struct vx_server *s, char *line, FILE *out)
{
	char *save = NULL;
	char *cmd = strtok_r(line, " \t", &save);
	struct vx_answer a = { 0 };
	long n[5] = { 0 };
	int rc = 0;

	if (cmd != NULL && strcmp(cmd, "mbx") == 0) {
		int32_t arg[4];
		char *tok;
		int count = 0;

		while ((tok = strtok_r(NULL, " \t", &save)) != NULL && count < 5 && rc == 0) {
			rc = parse(tok, &n[count++]);
		}
		if (rc != 0 || count < 1 || tok != NULL) {
			fprintf(out, "result=%d\n", -EINVAL);
			return -EINVAL;
		}
		for (int i = 0; i < 4; i++) {
			arg[i] = (int32_t)n[i + 1];
		}
		a.result = mbx_run(s, &a, (uint32_t)n[0], arg);
		fprintf(out, "result=%d data=", a.result);
		for (uint32_t i = 0U; i < a.len; i++) {
			fprintf(out, "%02x", a.data[i]);
		}
		fputc('\n', out);
		return 0;
	}
	if (cmd != NULL && strcmp(cmd, "stats") == 0) {
		vx_stats(s, out);
		fprintf(out, "result=0\n");
		return 0;
	}
	if (cmd != NULL && (strcmp(cmd, "destroy") == 0 || strcmp(cmd, "stop") == 0)) {
		struct vx_dom *d;

		rc = parse(strtok_r(NULL, " \t", &save), &n[0]);
		d = rc == 0 ? dom_by_id(s, n[0]) : NULL;
		if (d == NULL) {
			fprintf(out, "result=%d\n", -ENOENT);
			return -ENOENT;
		}
		if (strcmp(cmd, "destroy") == 0) {
			rc = vx_dom_destroy(d);
		} else {
			vx_dom_stop(d);
		}
		fprintf(out, "result=%d\n", rc);
		return rc;
	}
	if (cmd != NULL && strcmp(cmd, "withhold") == 0) {
		struct vx_dom *d;
		char *end;
		unsigned long long mask;

		rc = parse(strtok_r(NULL, " \t", &save), &n[0]);
		d = rc == 0 ? dom_by_id(s, n[0]) : NULL;
		cmd = strtok_r(NULL, " \t", &save);
		mask = cmd != NULL ? strtoull(cmd, &end, 0) : 0ULL;
		if (d == NULL || cmd == NULL || *end != '\0') {
			fprintf(out, "result=%d\n", -EINVAL);
			return -EINVAL;
		}
		for (unsigned int k = 0U; k < d->cfg->dev_count; k++) {
			d->mmio[k].dev.withheld = (uint64_t)mask;
		}
		fprintf(out, "result=0\n");
		return 0;
	}
	fprintf(out, "result=%d unknown command (mbx, stats, destroy, stop, withhold)\n", -EINVAL);
	return -EINVAL;
}
