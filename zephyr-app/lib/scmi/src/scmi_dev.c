/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The virtio-scmi device (virtio 1.2, 5.17): one per guest, one SCMI agent each.
 *
 * cmdq (0): a chain is the request (device-readable: le32 header + parameters) followed by
 * the response buffer (device-writable: le32 header + le32 status + return values). Every
 * chain taken is completed: a chain too short for a header or a status is completed with
 * nothing written. eventq (1), only with VIRTIO_SCMI_F_P2A_CHANNELS: see scmi_notify.c.
 */

#include <errno.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <vbe/dev.h>
#include <vbe/port.h>
#include <vbe/scmi.h>
#include <vbe/shmem.h>
#include <vbe/virtio.h>
#include <vbe/vq.h>

#include "scmi_internal.h"

/* Request read from the ring: header, the largest parameters, and one word to spare. */
#define SCMI_REQ_BUF (4U + SCMI_A2P_MAX + 4U)
/* Response built here: header, status, the largest return values. */
#define SCMI_RSP_BUF (8U + SCMI_P2A_MAX)

int vbe_scmi_dev_init(struct vbe_scmi_dev *dev, struct vbe_scmi_server *srv, uint8_t agent)
{
	if (dev == NULL || srv == NULL || vbe_scmi_agent_cfg(srv, agent) == NULL) {
		return -EINVAL;
	}
	if (srv->agent[agent - 1U].dev != NULL) {
		return -EBUSY;
	}
	memset(dev, 0, sizeof(*dev));
	dev->srv = srv;
	dev->agent = agent;
	srv->agent[agent - 1U].dev = dev;
	return 0;
}

/* Handle one command chain and complete it. Returns vbe_vq_push()'s result. */
static int scmi_command(struct vbe_scmi_dev *dev, struct vbe_vq_req *req, bool too_many_segs)
{
	uint8_t rq[SCMI_REQ_BUF];
	uint8_t rsp[SCMI_RSP_BUF];
	uint8_t ev[VBE_SCMI_EVENT_SIZE];
	struct vbe_scmi_msg m;
	uint32_t room;
	uint32_t len;
	size_t got;
	int rc;

	if (too_many_segs || req->rd_len < 4U || req->wr_len < 8U) {
		/* no header to echo or no room for header + status: nothing can be answered */
		dev->stats[VBE_SCMI_STAT_MALFORMED]++;
		VBE_LOG(VBE_LOG_DBG, "scmi: agent %u: malformed chain (rd %u, wr %u)",
			(unsigned int)dev->agent, (unsigned int)req->rd_len,
			(unsigned int)req->wr_len);
		return vbe_vq_push(dev->cmdq, req, 0);
	}
	/* the only read of guest memory: handlers see this copy */
	got = vbe_vq_req_read(req, 0, rq, (req->rd_len < sizeof(rq)) ? req->rd_len : sizeof(rq));
	if (got < 4U) {
		dev->stats[VBE_SCMI_STAT_MALFORMED]++;
		return vbe_vq_push(dev->cmdq, req, 0);
	}
	/* the dispatcher sets the per-message fields; the caller's are set here, once */
	m.srv = dev->srv;
	m.dev = dev;
	m.agent = dev->agent;
	m.acfg = &dev->srv->cfg->agents[dev->agent - 1U]; /* checked by vbe_scmi_dev_init() */
	m.proto = NULL;
	room = (req->wr_len < sizeof(rsp)) ? req->wr_len : (uint32_t)sizeof(rsp);
	/* the true length decides PROTOCOL_ERROR; only a matching (short) one is parsed */
	len = vbe_scmi_dispatch(&m, rq, req->rd_len, rsp, room);
	dev->stats[VBE_SCMI_STAT_COMMANDS]++;
	if (vbe_scmi_get_le32(rsp + 4) != (uint32_t)VBE_SCMI_SUCCESS) {
		dev->stats[VBE_SCMI_STAT_ERRORS]++;
	}
	rc = vbe_vq_push(dev->cmdq, req, (uint32_t)vbe_vq_req_write(req, 0, rsp, len));
	if (rc != 0 || m.dresp_len == 0U) {
		return rc;
	}
	/* after the response: the delayed response, same header but type 2 (4.1.1) */
	vbe_scmi_put_le32(ev,
			  (m.hdr & ~((uint32_t)VBE_SCMI_HDR_TYPE_MASK << VBE_SCMI_HDR_TYPE_SHIFT)) |
				  (VBE_SCMI_TYPE_DELAYED_RESPONSE << VBE_SCMI_HDR_TYPE_SHIFT));
	memcpy(ev + 4, m.dresp, m.dresp_len);
	rc = vbe_scmi_dev_event(dev, ev, (uint8_t)(4U + m.dresp_len), true);
	if (rc != 0 && rc != -EAGAIN) {
		VBE_LOG(VBE_LOG_DBG, "scmi: agent %u: delayed response: %d",
			(unsigned int)dev->agent, rc);
	}
	return 0;
}

static void scmi_service(void *be)
{
	struct vbe_scmi_dev *dev = be;
	struct vbe_vq_req req;

	if (dev == NULL || dev->cmdq == NULL) {
		return;
	}
	for (;;) {
		int rc = vbe_vq_pop(dev->cmdq, &req);

		if (rc == -EAGAIN) {
			break;
		}
		if (rc != 0 && rc != -E2BIG) {
			return; /* cmdq broken: the transport raises NEEDS_RESET */
		}
		if (scmi_command(dev, &req, rc == -E2BIG) != 0) {
			return;
		}
	}
	/* buffers the driver posted since: held delayed responses go out now */
	if (dev->evq != NULL && vbe_scmi_dev_flush(dev) == -EIO) {
		VBE_LOG(VBE_LOG_WRN, "scmi: agent %u: eventq broken", (unsigned int)dev->agent);
	}
}

/* Driver reset (or first use): the agent's holds are released, queued events forgotten. */
static void scmi_reset(void *be)
{
	struct vbe_scmi_dev *dev = be;

	if (dev == NULL || dev->srv == NULL) {
		return;
	}
	dev->cmdq = NULL;
	dev->evq = NULL;
	dev->p2a = false;
	dev->delayed_head = 0;
	dev->delayed_count = 0;
	if (vbe_scmi_agent_reset(dev->srv, dev->agent, false) != 0) {
		VBE_LOG(VBE_LOG_WRN, "scmi: agent %u: reset failed", (unsigned int)dev->agent);
	}
}

static int scmi_start(void *be, struct vbe_vq *vqs, uint64_t features)
{
	struct vbe_scmi_dev *dev = be;
	bool p2a = (features & (1ULL << VBE_SCMI_F_P2A_CHANNELS)) != 0U;

	if (dev == NULL || vqs == NULL || vqs[VBE_SCMI_VQ_CMDQ].size == 0U) {
		return -EINVAL;
	}
	if (p2a && vqs[VBE_SCMI_VQ_EVENTQ].size == 0U) {
		return -EINVAL; /* P2A negotiated: the eventq must exist (5.17.2) */
	}
	dev->cmdq = &vqs[VBE_SCMI_VQ_CMDQ];
	dev->evq = p2a ? &vqs[VBE_SCMI_VQ_EVENTQ] : NULL;
	dev->p2a = p2a;
	return 0;
}

const struct vbe_dev_ops vbe_scmi_dev_ops = {
	.device_id = VBE_VIRTIO_ID_SCMI,
	.features = 1ULL << VBE_SCMI_F_P2A_CHANNELS,
	.required_features = 0,
	.num_queues = 2,
	.queue_size_max = VBE_SCMI_QUEUE_SIZE_MAX,
	.config_size = 0,
	/* the eventq carries what the platform sends (5.17.6.3): not requests */
	.event_queues = 1U << VBE_SCMI_VQ_EVENTQ,
	.get_config = NULL,
	.reset = scmi_reset,
	.start = scmi_start,
	.service = scmi_service,
};
