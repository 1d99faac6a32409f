/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Fuzz target: SCMI message sequences from several agents, with state. Every agent of the
 * demo system has a virtio-scmi device (vbe_scmi_dev_ops) on well-formed rings; the input is
 * a stream of operations: a raw message (header and parameters fuzzed, any length, any
 * response room) from one agent, a batch, eventq buffers posted or taken back, a device
 * reset, an eventq stopped under the device (the vhost-user ring stop) or started again,
 * and platform events (a sensor moving, the system power notifier, RESET_AGENT_CONFIGURATION
 * from the platform side). Server state carries over from one operation to the next.
 *
 * Besides the sanitizers, the wire is checked: each answered command echoes its header,
 * carries a status that is an SCMI status, and fits the SCMI payload; events are type 2 or 3
 * and fit their buffer; chains come back in order, once each.
 */

#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <vbe/dev.h>
#include <vbe/scmi.h>
#include <vbe/scmi_wire.h>
#include <vbe/shmem.h>
#include <vbe/sim.h>
#include <vbe/virtio.h>

#include "common/drv.h"
#include "common/fuzz.h"

#define QSIZE 16
#define DATA_SIZE (64U * 1024U)
#define RSP_MAX (4U + VBE_SCMI_PAYLOAD_MAX)

struct agent {
	struct vbe_scmi_dev dev;
	struct vbe_vq vq[2];
	struct fz_ring ring[2];
	struct fz_mem mem[2];
	uint8_t *ring_mem[2];
	uint64_t features;
	/* the request header and room of each cmdq chain in flight, by head */
	uint32_t hdr[QSIZE];
	uint32_t rd[QSIZE];
	uint32_t room[QSIZE];
	uint32_t rsp_off[QSIZE];
	uint32_t evq_room[QSIZE];
};

static struct vbe_sim sim;
static struct vbe_scmi_server srv;
static struct agent ag[VBE_SCMI_MAX_AGENTS];
static uint8_t n_agents;
/* the state right after set-up, restored for each input (set-up checks the whole config) */
static struct vbe_sim sim0;
static struct vbe_scmi_server srv0;
static struct vbe_scmi_dev dev0[VBE_SCMI_MAX_AGENTS];

static void agent_start(struct agent *a, uint64_t features)
{
	a->features = features;
	for (unsigned int q = 0U; q < 2U; q++) {
		fz_mem_reset(&a->mem[q]);
		if (fz_ring_init(&a->ring[q], a->ring_mem[q], QSIZE, &a->vq[q], &a->mem[q],
				 features) != 0) {
			fz_fail(__FILE__, __LINE__, "ring set-up refused");
		}
	}
	if ((features & (1ULL << VBE_SCMI_F_P2A_CHANNELS)) == 0U) {
		vbe_vq_stop(&a->vq[1]); /* no eventq without P2A */
	}
	FZ_CHECK(vbe_scmi_dev_ops.start(&a->dev, a->vq, features) == 0, "start refused");
}

static void collect_cmdq(struct agent *a)
{
	uint16_t head;
	uint32_t len;

	while (fz_ring_used(&a->ring[0], &head, &len)) {
		FZ_CHECK(len <= a->room[head], "used length past the response buffer");
		if (a->rd[head] >= 4U && a->room[head] >= 8U) {
			const uint8_t *rsp = a->mem[0].data + a->rsp_off[head];
			int32_t status;

			FZ_CHECK(len >= 8U && len <= RSP_MAX, "answer without a status, or too long");
			FZ_CHECK(vbe_ld32(rsp) == a->hdr[head], "answer does not echo the header");
			status = (int32_t)vbe_ld32(rsp + 4);
			FZ_CHECK(status <= 0 && status > -VBE_SCMI_STATUS_COUNT,
				 "a status that is not an SCMI status");
			FZ_CHECK(status == 0 || len == 8U, "an error answer with return values");
		} else {
			FZ_CHECK(len == 0U, "a malformed chain was answered");
		}
	}
	if (a->ring[0].inflight == 0U) {
		fz_mem_reset(&a->mem[0]);
	}
}

static void collect_evq(struct agent *a)
{
	uint16_t head;
	uint32_t len;

	if (!vbe_vq_ready(&a->vq[1])) {
		return;
	}
	while (fz_ring_used(&a->ring[1], &head, &len)) {
		FZ_CHECK(len <= a->evq_room[head] && len <= VBE_SCMI_EVENT_SIZE, "event too long");
		if (len >= 4U) {
			uint32_t type = (vbe_ld32(a->mem[1].data + vbe_ld32(a->ring[1].desc +
									  16U * head)) >>
					 VBE_SCMI_HDR_TYPE_SHIFT) &
					VBE_SCMI_HDR_TYPE_MASK;

			FZ_CHECK(type == VBE_SCMI_TYPE_DELAYED_RESPONSE ||
					 type == VBE_SCMI_TYPE_NOTIFICATION,
				 "an event that is neither a delayed response nor a notification");
		}
	}
	if (a->ring[1].inflight == 0U) {
		fz_mem_reset(&a->mem[1]);
	}
}

static void service(struct agent *a)
{
	(void)vbe_dev_service(&vbe_scmi_dev_ops, &a->dev, a->vq);
	for (uint8_t i = 0U; i < n_agents; i++) {
		collect_cmdq(&ag[i]); /* another agent may have been notified meanwhile */
		collect_evq(&ag[i]);
	}
}

/* One command chain: request of @p len bytes (split in two when asked), response room. */
static bool post_message(struct agent *a, struct fz_in *in)
{
	uint8_t shape = fz_u8(in);
	uint32_t len = fz_u8(in);
	uint32_t room = (shape & 1U) != 0U ? fz_u8(in) : 136U;
	struct fz_buf b[3];
	unsigned int n = 0U;
	uint32_t off;
	uint8_t *req = fz_mem_alloc(&a->mem[0], len, &off);
	uint8_t *rsp;
	uint32_t roff;
	int head;

	if (req == NULL) {
		return false;
	}
	fz_bytes(in, req, len);
	if ((shape & 2U) != 0U && len > 1U) {
		uint32_t cut = 1U + (uint32_t)fz_u8(in) % (len - 1U);

		b[n++] = (struct fz_buf){ .off = off, .len = cut };
		b[n++] = (struct fz_buf){ .off = off + cut, .len = len - cut };
	} else {
		b[n++] = (struct fz_buf){ .off = off, .len = len };
	}
	rsp = fz_mem_alloc(&a->mem[0], room, &roff);
	if (rsp == NULL) {
		return false;
	}
	memset(rsp, 0xa5, room);
	b[n++] = (struct fz_buf){ .off = roff, .len = room, .write = true };
	head = fz_ring_add(&a->ring[0], &a->mem[0], b, n,
			   (shape & 4U) != 0U &&
				   (a->features & (1ULL << VBE_VIRTIO_F_INDIRECT_DESC)) != 0U);
	if (head < 0) {
		return false;
	}
	a->hdr[head] = len >= 4U ? vbe_ld32(req) : 0U;
	a->rd[head] = len;
	a->room[head] = room;
	a->rsp_off[head] = roff;
	return true;
}

static void post_events(struct agent *a, struct fz_in *in)
{
	uint8_t count = (uint8_t)(1U + fz_u8(in) % 8U);
	uint8_t size = fz_u8(in);

	if (!vbe_vq_ready(&a->vq[1])) {
		return;
	}
	for (uint8_t i = 0U; i < count; i++) {
		uint32_t off;
		uint32_t room = size >= 200U ? 136U : size % 40U;
		struct fz_buf b;
		int head;

		if (fz_mem_alloc(&a->mem[1], room, &off) == NULL) {
			return;
		}
		b = (struct fz_buf){ .off = off, .len = room, .write = true };
		head = fz_ring_add(&a->ring[1], &a->mem[1], &b, 1U, false);
		if (head < 0) {
			return;
		}
		a->evq_room[head] = room;
	}
}

static void platform_event(struct fz_in *in)
{
	const struct vbe_sys_cfg *cfg = &vbe_sys_description;
	uint8_t what = fz_u8(in) % 3U;
	uint8_t agent = (uint8_t)(1U + fz_u8(in) % n_agents);

	switch (what) {
	case 0: {
		uint16_t sensor = (uint16_t)(fz_u8(in) % (cfg->scmi->sensor_count + 1U));
		int64_t value = (int32_t)fz_u32(in);

		fz_sensor_set(&sim, &srv, sensor, value);
		break;
	}
	case 1:
		(void)vbe_scmi_system_notify(&srv, agent, fz_u8(in) & 1U, fz_u8(in) % 6U,
					     fz_u16(in));
		break;
	default:
		(void)vbe_scmi_agent_reset(&srv, agent, (fz_u8(in) & 1U) != 0U);
		break;
	}
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const struct vbe_sys_cfg *cfg = &vbe_sys_description;
	struct fz_in in = { .p = data, .n = size };
	uint8_t fbits = fz_u8(&in);
	uint64_t features = (1ULL << VBE_VIRTIO_F_VERSION_1) |
			    ((fbits & 1U) ? 0U : (1ULL << VBE_SCMI_F_P2A_CHANNELS)) |
			    ((fbits & 2U) ? (1ULL << VBE_VIRTIO_F_EVENT_IDX) : 0U) |
			    ((fbits & 4U) ? 0U : (1ULL << VBE_VIRTIO_F_INDIRECT_DESC));

	if (ag[0].ring_mem[0] == NULL) {
		for (unsigned int i = 0U; i < VBE_SCMI_MAX_AGENTS; i++) {
			for (unsigned int q = 0U; q < 2U; q++) {
				ag[i].ring_mem[q] = fz_guarded(fz_ring_bytes(QSIZE));
				fz_mem_init(&ag[i].mem[q], fz_guarded(DATA_SIZE), DATA_SIZE);
			}
		}
	}
	if (n_agents == 0U) {
		if (vbe_sim_populate(&sim, cfg) != 0 ||
		    vbe_scmi_server_init(&srv, cfg->scmi, &sim.plat) != 0) {
			fz_fail(__FILE__, __LINE__, "the demo system does not set up");
		}
		n_agents = cfg->scmi->agent_count;
		for (uint8_t i = 0U; i < n_agents; i++) {
			FZ_CHECK(vbe_scmi_dev_init(&ag[i].dev, &srv, (uint8_t)(i + 1U)) == 0,
				 "dev init");
			dev0[i] = ag[i].dev;
		}
		sim0 = sim;
		srv0 = srv;
	}
	sim = sim0;
	srv = srv0;
	for (uint8_t i = 0U; i < n_agents; i++) {
		ag[i].dev = dev0[i];
		memset(ag[i].vq, 0, sizeof(ag[i].vq));
		agent_start(&ag[i], features);
	}
	while (fz_more(&in)) {
		uint8_t op = fz_u8(&in);
		struct agent *a = &ag[(op >> 4) % n_agents];

		switch (op & 0x7U) {
		case 0:
		case 1:
			if (post_message(a, &in)) {
				service(a);
			}
			break;
		case 2:
			for (uint8_t k = fz_u8(&in) % 8U; k > 0U && post_message(a, &in); k--) {
			}
			service(a);
			break;
		case 3:
			post_events(a, &in);
			service(a);
			break;
		case 4:
			vbe_scmi_dev_ops.reset(&a->dev);
			agent_start(a, features);
			break;
		case 5:
			/* the front-end stops the eventq under the device (GET_VRING_BASE) */
			vbe_vq_stop(&a->vq[1]);
			break;
		case 6:
			platform_event(&in);
			for (uint8_t i = 0U; i < n_agents; i++) {
				collect_evq(&ag[i]);
			}
			break;
		default:
			service(a);
			break;
		}
	}
	return 0;
}
