/* SPDX-License-Identifier: Apache-2.0 */
/*
 * vbe_sim: the platform protocol (vbe/sim_cmd.h), the one way a harness reads and sets the
 * simulated platform behind a running system: I2C targets and the bus log, the SCMI
 * resources by platform index (state with the server's votes, sensor values that fire trip
 * points, system power requests, the operation log), and what the guests' virtio-i2c
 * devices did (counters, why a transfer failed). The host library runs vbe_sim_cmd() in
 * one call; a backend with memory of its own serves it from a mailbox
 * (vbe_sim_mailbox_poll()). One handler, so the in-process and the QEMU machines cannot
 * disagree. See docs/sim.md.
 */

#include <errno.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <vbe/i2c.h>
#include <vbe/plat.h>
#include <vbe/port.h>
#include <vbe/scmi.h>
#include <vbe/shmem.h>
#include <vbe/sim.h>
#include <vbe/sim_cmd.h>
#include <vbe/sys.h>

_Static_assert(sizeof(struct vbe_sim_cmd_bus_entry) == 4 * 3 + 4 * 24, "bus entry: no padding");
_Static_assert(sizeof(struct vbe_sim_cmd_res_state) == 16, "resource state: no padding");
_Static_assert(sizeof(struct vbe_sim_cmd_op_entry) == 32, "op entry: no padding");
_Static_assert(sizeof(struct vbe_sim_cmd_i2c_diag) == 20, "i2c diag: no padding");
_Static_assert(VBE_SIM_CMD_I2C_ERRORS == VBE_I2C_ERR_COUNT, "one counter per I2C error class");
_Static_assert(VBE_SIM_LOG_MSGS == 4 && VBE_SIM_LOG_BYTES == 16, "bus entry layout");
_Static_assert(VBE_SIM_AT24_SIZE <= VBE_SIM_CMD_DATA_SIZE, "an EEPROM fits a response");
_Static_assert(offsetof(struct vbe_sim_mailbox, seq) % 64 == 0, "harness half on its own line");
_Static_assert(offsetof(struct vbe_sim_mailbox, ack) % 64 == 0, "backend half on its own line");
_Static_assert(offsetof(struct vbe_sim_mailbox, rsp.data) % 8 == 0, "data is 8-byte aligned");

/* The response's data: @p len bytes of @p src. */
static int32_t cmd_put(struct vbe_sim_rsp *rsp, const void *src, uint32_t len)
{
	memcpy(rsp->data, src, len);
	rsp->data_len = len;
	return 0;
}

/* ---- SCMI resources by platform index ---- */

/* Platform id of resource @p idx of @p kind, or -ENOENT. */
static int cmd_plat_id(const struct vbe_scmi_platform_cfg *c, unsigned int kind, uint16_t idx)
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
static uint32_t cmd_votes(const struct vbe_scmi_server *srv, unsigned int kind, uint16_t idx)
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

static int32_t cmd_res_state(const struct vbe_sim *sim, const struct vbe_sys_cfg *cfg,
			     const struct vbe_scmi_server *srv, int32_t kind, int32_t idx,
			     struct vbe_sim_rsp *rsp)
{
	const struct vbe_sim_scmi *s = &sim->scmi;
	struct vbe_sim_cmd_res_state out;
	int pid;

	if (cfg->scmi == NULL || kind < 0 || idx < 0 || idx > UINT16_MAX) {
		return -ENOENT;
	}
	pid = cmd_plat_id(cfg->scmi, (unsigned int)kind, (uint16_t)idx);
	if (pid < 0) {
		return pid;
	}
	memset(&out, 0, sizeof(out));
	/* plat ids were checked against VBE_SIM_MAX_* by vbe_sim_populate's presets or ops */
	switch (kind) {
	case VBE_SCMI_RES_CLOCK:
		out.on = pid < VBE_SIM_MAX_CLOCKS && s->clock[pid].on;
		out.value = pid < VBE_SIM_MAX_CLOCKS ? (int64_t)s->clock[pid].rate : 0;
		break;
	case VBE_SCMI_RES_POWER:
		out.value = pid < VBE_SIM_MAX_POWER ? s->power[pid] : VBE_PLAT_POWER_OFF;
		out.on = out.value == VBE_PLAT_POWER_ON;
		break;
	case VBE_SCMI_RES_PERF:
		out.value = pid < VBE_SIM_MAX_PERF ? s->perf[pid] : 0U;
		break;
	case VBE_SCMI_RES_SENSOR:
		out.value = pid < VBE_SIM_MAX_SENSORS ? s->sensor[pid] : 0;
		break;
	case VBE_SCMI_RES_RESET:
		out.on = pid < VBE_SIM_MAX_RESETS && s->reset[pid];
		break;
	default:
		out.on = pid < VBE_SIM_MAX_REGULATORS && s->reg[pid].on;
		out.value = pid < VBE_SIM_MAX_REGULATORS ? s->reg[pid].uv : 0;
		break;
	}
	out.votes = srv != NULL ? cmd_votes(srv, (unsigned int)kind, (uint16_t)idx) : 0U;
	return cmd_put(rsp, &out, sizeof(out));
}

/* Set a sensor, then (once the system runs) sample it: crossed trip points notify. */
static int32_t cmd_sensor_set(struct vbe_sim *sim, const struct vbe_sys_cfg *cfg,
			      struct vbe_scmi_server *srv, int32_t idx, uint32_t lo, uint32_t hi)
{
	int64_t value = (int64_t)(((uint64_t)hi << 32) | lo);
	int pid;
	int rc;

	if (cfg->scmi == NULL || idx < 0 || idx > UINT16_MAX) {
		return -ENOENT;
	}
	pid = cmd_plat_id(cfg->scmi, VBE_SCMI_RES_SENSOR, (uint16_t)idx);
	if (pid < 0) {
		return pid;
	}
	rc = vbe_sim_sensor_set(sim, (uint16_t)pid, value);
	if (rc == 0 && srv != NULL) {
		rc = vbe_scmi_sensor_update(srv, (uint16_t)idx);
	}
	return rc;
}

static bool cmd_agent_ok(const struct vbe_sys_cfg *cfg, int32_t agent)
{
	return cfg->scmi != NULL && agent >= 1 && agent <= cfg->scmi->agent_count;
}

static int32_t cmd_system_state(const struct vbe_sim *sim, const struct vbe_sys_cfg *cfg,
				int32_t agent, struct vbe_sim_rsp *rsp)
{
	struct vbe_sim_cmd_system out;

	if (!cmd_agent_ok(cfg, agent) || agent > VBE_SIM_MAX_AGENTS) {
		return -ENOENT;
	}
	out.state = sim->scmi.sys_state[agent - 1];
	out.requests = sim->scmi.sys_requests[agent - 1];
	return cmd_put(rsp, &out, sizeof(out));
}

/* The resource kind an operation acts on; VBE_SCMI_RES_COUNT for a system power request. */
static unsigned int cmd_op_kind(uint8_t op)
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

/* The platform index of the resource a log entry acted on (the log records platform ids). */
static int cmd_op_index(const struct vbe_sys_cfg *cfg, const struct vbe_sim_op_entry *e)
{
	unsigned int kind = cmd_op_kind(e->op);

	if (cfg->scmi == NULL) {
		return -ENOENT;
	}
	if (kind == VBE_SCMI_RES_COUNT) {
		return e->op == VBE_SIM_OP_SYSTEM ? e->id : -ENOENT;
	}
	for (uint16_t i = 0U; i < UINT8_MAX; i++) {
		int pid = cmd_plat_id(cfg->scmi, kind, i);

		if (pid < 0) {
			break;
		}
		if (pid == e->id) {
			return i;
		}
	}
	return -ENOENT;
}

static int32_t cmd_op_get(const struct vbe_sim *sim, const struct vbe_sys_cfg *cfg,
			  uint32_t seq, struct vbe_sim_rsp *rsp)
{
	struct vbe_sim_op_entry e;
	struct vbe_sim_cmd_op_entry out;
	int rc = vbe_sim_op_get(sim, seq, &e);

	if (rc != 0) {
		return rc;
	}
	memset(&out, 0, sizeof(out));
	out.value = e.value;
	out.seq = e.seq;
	out.arg = e.arg;
	out.result = e.result;
	out.index = cmd_op_index(cfg, &e);
	out.id = e.id;
	out.op = e.op;
	return cmd_put(rsp, &out, sizeof(out));
}

/* ---- I2C: targets, the bus log, the guests' devices ---- */

static int32_t cmd_eeprom(struct vbe_sim *sim, int32_t bus, int32_t addr, struct vbe_sim_rsp *rsp)
{
	const struct vbe_sim_target *t = vbe_sim_find(sim, (uint8_t)bus, (uint16_t)addr);

	if (t == NULL || t->kind != VBE_SIM_AT24) {
		return -ENODEV;
	}
	return cmd_put(rsp, t->u.at24.mem, VBE_SIM_AT24_SIZE);
}

static int32_t cmd_bus_log_get(const struct vbe_sim *sim, uint32_t seq, struct vbe_sim_rsp *rsp)
{
	struct vbe_sim_log_entry e;
	struct vbe_sim_cmd_bus_entry out;
	int rc = vbe_sim_log_get(sim, seq, &e);

	if (rc != 0) {
		return rc;
	}
	memset(&out, 0, sizeof(out));
	out.seq = e.seq;
	out.bus = e.bus;
	out.num_msgs = e.num_msgs < VBE_SIM_LOG_MSGS ? e.num_msgs : VBE_SIM_LOG_MSGS;
	out.addr = e.addr;
	out.result = e.result;
	for (unsigned int i = 0U; i < out.num_msgs; i++) {
		out.msgs[i].flags = e.msgs[i].flags;
		out.msgs[i].len = e.msgs[i].len;
		memcpy(out.msgs[i].data, e.msgs[i].data, sizeof(out.msgs[i].data));
	}
	return cmd_put(rsp, &out, sizeof(out));
}

/* The running virtio-i2c device of guest @p guest, NULL when it has none. */
static const struct vbe_i2c_dev *cmd_i2c_dev(const struct vbe_sys *sys, int32_t guest)
{
	if (sys == NULL || sys->cfg == NULL || guest < 0 || guest >= sys->cfg->guest_count ||
	    sys->cfg->guests[guest].i2c == NULL) {
		return NULL;
	}
	return &sys->i2c[guest];
}

static int32_t cmd_i2c_stats(const struct vbe_sys *sys, int32_t guest, struct vbe_sim_rsp *rsp)
{
	const struct vbe_i2c_dev *dev = cmd_i2c_dev(sys, guest);
	struct vbe_sim_cmd_i2c_stats out;

	if (dev == NULL) {
		return -ENOENT;
	}
	out.requests = dev->requests;
	out.transactions = dev->transactions;
	memcpy(out.errors, dev->errors, sizeof(out.errors));
	return cmd_put(rsp, &out, sizeof(out));
}

static int32_t cmd_i2c_diag(const struct vbe_sys *sys, int32_t guest, uint32_t seq,
			    struct vbe_sim_rsp *rsp)
{
	const struct vbe_i2c_dev *dev = cmd_i2c_dev(sys, guest);
	struct vbe_sim_cmd_i2c_diag out;
	struct vbe_i2c_diag d;
	int rc;

	if (dev == NULL) {
		return -ENOENT;
	}
	rc = vbe_i2c_diag_get(dev, seq, &d);
	if (rc != 0) {
		return rc;
	}
	memset(&out, 0, sizeof(out));
	out.seq = d.seq;
	out.head = d.head;
	out.addr = d.addr;
	out.bus_addr = d.bus_addr;
	out.reason = d.reason;
	out.flags = d.flags;
	out.len = d.len;
	out.index = d.index;
	out.count = d.count;
	return cmd_put(rsp, &out, sizeof(out));
}

int32_t vbe_sim_cmd(struct vbe_sim *sim, const struct vbe_sys_cfg *cfg, struct vbe_sys *sys,
		    const struct vbe_sim_req *req, struct vbe_sim_rsp *rsp)
{
	/* the SCMI server once the system runs; before, no votes and no notifications */
	struct vbe_scmi_server *srv = NULL;
	const int32_t *a;

	if (sim == NULL || cfg == NULL || req == NULL || rsp == NULL) {
		return -EINVAL;
	}
	if (sys != NULL && sys->cfg == cfg && cfg->scmi != NULL) {
		srv = &sys->scmi;
	}
	a = req->arg;
	rsp->data_len = 0U;
	switch (req->cmd) {
	case VBE_SIM_CMD_NOP:
		return 0;
	case VBE_SIM_CMD_SET_TEMP:
		return vbe_sim_lm75_set_temp(sim, (uint8_t)a[0], (uint16_t)a[1], a[2]);
	case VBE_SIM_CMD_EEPROM:
		return cmd_eeprom(sim, a[0], a[1], rsp);
	case VBE_SIM_CMD_BUS_LOG_SEQ:
		return (int32_t)sim->log_seq;
	case VBE_SIM_CMD_BUS_LOG_GET:
		return cmd_bus_log_get(sim, (uint32_t)a[0], rsp);
	case VBE_SIM_CMD_RES_STATE:
		return cmd_res_state(sim, cfg, srv, a[0], a[1], rsp);
	case VBE_SIM_CMD_SENSOR_SET:
		return cmd_sensor_set(sim, cfg, srv, a[0], (uint32_t)a[1], (uint32_t)a[2]);
	case VBE_SIM_CMD_SYSTEM_STATE:
		return cmd_system_state(sim, cfg, a[0], rsp);
	case VBE_SIM_CMD_SYSTEM_NOTIFY:
		if (!cmd_agent_ok(cfg, a[0])) {
			return -ENOENT;
		}
		if (srv == NULL) {
			return -EAGAIN; /* nobody to notify before the system runs */
		}
		return vbe_scmi_system_notify(srv, (uint8_t)a[0], (uint32_t)a[1], (uint32_t)a[2],
					      (uint32_t)a[3]);
	case VBE_SIM_CMD_OP_LOG_SEQ:
		return (int32_t)sim->scmi.log_seq;
	case VBE_SIM_CMD_OP_LOG_GET:
		return cmd_op_get(sim, cfg, (uint32_t)a[0], rsp);
	case VBE_SIM_CMD_I2C_STATS:
		return cmd_i2c_stats(sys, a[0], rsp);
	case VBE_SIM_CMD_I2C_DIAG:
		return cmd_i2c_diag(sys, a[0], (uint32_t)a[1], rsp);
	default:
		return -ENOSYS;
	}
}

/* ---- the mailbox ---- */

void vbe_sim_mailbox_init(struct vbe_sim_mailbox *m)
{
	vbe_st32(&m->version, VBE_SIM_CMD_VERSION);
	vbe_st32(&m->size, sizeof(*m));
	vbe_st32(&m->ack, vbe_ld32(&m->seq));
	/* Everything above before the magic: pairs with the harness's check of magic first. */
	vbe_wmb();
	vbe_st32(&m->magic, VBE_SIM_MAILBOX_MAGIC);
}

bool vbe_sim_mailbox_poll(struct vbe_sim_mailbox *m, struct vbe_sim *sim, struct vbe_sys *sys,
			  int32_t (*port)(const struct vbe_sim_req *req, struct vbe_sim_rsp *rsp))
{
	uint32_t seq = vbe_ld32(&m->seq);
	struct vbe_sim_req req;
	struct vbe_sim_rsp rsp;
	const uint8_t *src;
	bool ignored;

	if (seq == vbe_ld32(&m->ack)) {
		return false;
	}
	/* Pairs with the harness writing req before seq. */
	vbe_rmb();
	/* The request is copied out once; only the copy is used. */
	req.cmd = vbe_ld32(&m->req.cmd);
	for (unsigned int i = 0U; i < 4U; i++) {
		req.arg[i] = (int32_t)vbe_ld32(&m->req.arg[i]);
	}
	/* Serve what the driver published before this command, so the answer includes it. */
	vbe_sys_poll(sys, &ignored);
	rsp.data_len = 0U;
	if (req.cmd >= VBE_SIM_CMD_PORT) {
		rsp.result = (port != NULL) ? port(&req, &rsp) : -ENOSYS;
	} else {
		rsp.result = vbe_sim_cmd(sim, sys->cfg, sys, &req, &rsp);
	}
	if (rsp.data_len > VBE_SIM_CMD_DATA_SIZE) {
		rsp.data_len = 0U; /* a port command's bug: send no data rather than too much */
	}
	vbe_st32(&m->rsp.result, (uint32_t)rsp.result);
	vbe_st32(&m->rsp.data_len, rsp.data_len);
	src = rsp.data;
	for (uint32_t i = 0U; i < rsp.data_len; i++) {
		vbe_st8(&m->rsp.data[i], src[i]);
	}
	/* The response before the acknowledgement: pairs with the harness's read after it. */
	vbe_wmb();
	vbe_st32(&m->ack, seq);
	return true;
}
