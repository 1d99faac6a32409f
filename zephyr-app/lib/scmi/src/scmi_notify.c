/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Platform-to-agent messages on the eventq (virtio 1.2, 5.17.6.3; DEN0056E 4.1.1):
 * notifications are sent if the agent has an eventq buffer posted and dropped otherwise;
 * delayed responses are held (VBE_SCMI_DELAYED_MAX per agent) until a buffer is posted.
 * An eventq that is not running (its ring stopped or reset by the transport, or not set up
 * yet) is one without a buffer. Eventq buffers are taken from the ring only when an event
 * is ready for them.
 */

#include <errno.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <vbe/port.h>
#include <vbe/scmi.h>
#include <vbe/shmem.h>
#include <vbe/vq.h>

#include "scmi_internal.h"

/*
 * Put one event into the next eventq buffer. -EAGAIN: none posted, or the eventq is not
 * running (stopped, reset, not set up yet: reached from another agent's command or the
 * platform, never from this device's own pass); -EIO: the queue broke.
 */
static int scmi_event_send(struct vbe_scmi_dev *dev, const uint8_t *msg, uint8_t len)
{
	struct vbe_vq_req req;
	size_t n;
	int rc;

	for (;;) {
		rc = vbe_vq_pop(dev->evq, &req);
		if (rc == -EAGAIN || rc == -ENODEV) {
			return -EAGAIN; /* no buffer: a notification is dropped, a response held */
		}
		if (rc != 0 && rc != -E2BIG) {
			dev->evq = NULL; /* broken: the transport raises NEEDS_RESET */
			return -EIO;
		}
		if (rc == 0 && req.wr_len >= 4U) {
			break;
		}
		/* no room for even a header: give it back empty and try the next one */
		dev->stats[VBE_SCMI_STAT_EVENT_SHORT]++;
		if (vbe_vq_push(dev->evq, &req, 0) != 0) {
			dev->evq = NULL;
			return -EIO;
		}
	}
	n = vbe_vq_req_write(&req, 0, msg, len);
	if (n < len) {
		dev->stats[VBE_SCMI_STAT_EVENT_SHORT]++;
	}
	if (vbe_vq_push(dev->evq, &req, (uint32_t)n) != 0) {
		dev->evq = NULL;
		return -EIO;
	}
	return 0;
}

int vbe_scmi_dev_flush(struct vbe_scmi_dev *dev)
{
	while (dev->delayed_count > 0U && dev->evq != NULL) {
		struct vbe_scmi_event *ev = &dev->delayed[dev->delayed_head];
		int rc = scmi_event_send(dev, ev->msg, ev->len);

		/*
		 * Held for want of a buffer: ask the driver to notify its next one (the eventq is
		 * an event queue, vbe_dev_service() leaves its notifications to us), and take one
		 * that came in meanwhile. Each turn sends one event or stops.
		 */
		if (rc == -EAGAIN && vbe_vq_enable_notify(dev->evq)) {
			continue;
		}
		if (rc != 0) {
			return rc;
		}
		dev->stats[VBE_SCMI_STAT_DELAYED_SENT]++;
		dev->delayed_head = (uint8_t)((dev->delayed_head + 1U) % VBE_SCMI_DELAYED_MAX);
		dev->delayed_count--;
	}
	return 0;
}

int vbe_scmi_dev_event(struct vbe_scmi_dev *dev, const uint8_t *msg, uint8_t len, bool hold)
{
	struct vbe_scmi_event *ev;
	int rc;

	if (len > VBE_SCMI_EVENT_SIZE) {
		return -EINVAL;
	}
	if (!hold) {
		rc = (dev->evq != NULL) ? scmi_event_send(dev, msg, len) : -EAGAIN;
		dev->stats[rc == 0 ? VBE_SCMI_STAT_NOTIFY_SENT : VBE_SCMI_STAT_NOTIFY_DROPPED]++;
		return rc;
	}
	if (dev->delayed_count >= VBE_SCMI_DELAYED_MAX) {
		return -EBUSY; /* the command was refused BUSY before it ran: cannot happen */
	}
	/* behind any older one, so delayed responses keep their order */
	ev = &dev->delayed[(dev->delayed_head + dev->delayed_count) % VBE_SCMI_DELAYED_MAX];
	memcpy(ev->msg, msg, len);
	ev->len = len;
	dev->delayed_count++;
	return vbe_scmi_dev_flush(dev);
}

int vbe_scmi_notify_agent(struct vbe_scmi_server *srv, uint8_t agent, uint8_t proto,
			  uint8_t msg_id, const uint32_t *words, uint8_t count)
{
	uint8_t msg[VBE_SCMI_EVENT_SIZE];
	struct vbe_scmi_dev *dev;

	if (agent == 0U || agent > VBE_SCMI_MAX_AGENTS || count > SCMI_NOTIFY_WORDS_MAX) {
		return -EINVAL;
	}
	dev = srv->agent[agent - 1U].dev;
	if (dev == NULL) {
		return -EAGAIN;
	}
	vbe_scmi_put_le32(msg, vbe_scmi_hdr(msg_id, VBE_SCMI_TYPE_NOTIFICATION, proto, 0));
	for (uint8_t i = 0; i < count; i++) {
		vbe_scmi_put_le32(msg + 4U + 4U * i, words[i]);
	}
	return vbe_scmi_dev_event(dev, msg, (uint8_t)(4U + 4U * count), false);
}

void vbe_scmi_notify_res(struct vbe_scmi_server *srv, uint32_t mask, enum vbe_scmi_res kind,
			 uint16_t res, uint8_t msg_id, uint32_t agent_id, const uint32_t *values,
			 uint8_t count)
{
	uint32_t words[SCMI_NOTIFY_WORDS_MAX];

	if (count > SCMI_NOTIFY_WORDS_MAX - 2U) {
		return; /* callers send at most two values: cannot happen */
	}
	words[0] = agent_id;
	memcpy(&words[2], values, count * sizeof(words[0]));
	for (uint8_t agent = 1; agent <= VBE_SCMI_MAX_AGENTS && mask != 0U; agent++) {
		int local;

		if ((mask & SCMI_AGENT_BIT(agent)) == 0U) {
			continue;
		}
		mask &= ~SCMI_AGENT_BIT(agent);
		local = vbe_scmi_local_id(srv, agent, kind, res);
		if (local < 0 || !vbe_scmi_res_allowed(srv, agent, kind, res)) {
			continue; /* the agent no longer sees it */
		}
		/* each receiver gets the resource under its own id */
		words[1] = (uint32_t)local;
		/* dropped when the agent has no eventq buffer: counted in its stats */
		(void)vbe_scmi_notify_agent(srv, agent, vbe_scmi_res_protocol(kind), msg_id,
					    words, (uint8_t)(2U + count));
	}
}
