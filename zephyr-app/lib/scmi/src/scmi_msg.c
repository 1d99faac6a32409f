/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Message dispatch: the protocol registry, the one validator every command passes before
 * its handler runs, and the response header/status (DEN0056E 4.1.1, 4.1.4). Handlers return
 * 0 or a negative errno; the status is mapped here, once (vbe_scmi_status_from_errno()).
 */

#include <errno.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <vbe/port.h>
#include <vbe/scmi.h>
#include <vbe/shmem.h>

#include "scmi_internal.h"

/*
 * Every protocol the server speaks, in ascending protocol id (DISCOVER_LIST_PROTOCOLS order),
 * contiguous from 0x10: vbe_scmi_protocol_find() indexes this table by id - 0x10.
 */
static const struct vbe_scmi_protocol *const scmi_protocols[] = {
	&vbe_scmi_base_protocol,  &vbe_scmi_power_protocol,  &vbe_scmi_system_protocol,
	&vbe_scmi_perf_protocol,  &vbe_scmi_clock_protocol,  &vbe_scmi_sensor_protocol,
	&vbe_scmi_reset_protocol, &vbe_scmi_voltage_protocol,
};

const struct vbe_scmi_protocol *vbe_scmi_protocol_find(uint8_t id)
{
	/* ids are 0x10, 0x11... in table order: one lookup, the id checked against the entry */
	uint8_t i = (uint8_t)(id - VBE_SCMI_PROTO_BASE);

	if (i < SCMI_ARRAY_SIZE(scmi_protocols) && scmi_protocols[i]->id == id) {
		return scmi_protocols[i];
	}
	return NULL;
}

bool vbe_scmi_agent_has_protocol(const struct vbe_scmi_agent_cfg *cfg,
				 const struct vbe_scmi_protocol *proto)
{
	if (cfg == NULL || proto == NULL) {
		return false;
	}
	if (proto->id == VBE_SCMI_PROTO_BASE) {
		return true;
	}
	if (proto->id == VBE_SCMI_PROTO_SYSTEM) {
		return (cfg->flags & VBE_SCMI_AGENT_SYSTEM_POWER) != 0U;
	}
	return proto->res >= 0 && cfg->grant_count[proto->res] > 0U;
}

/*
 * The validator (docs/scmi.md, "Dispatch"). In this order:
 *  1. type is COMMAND                                    else PROTOCOL_ERROR
 *  2. protocol implemented                               else NOT_SUPPORTED (4.1.4)
 *  3. message id in the table with a handler             else NOT_SUPPORTED
 *  4. parameters exactly the message's size              else PROTOCOL_ERROR
 *  5. agent may use the protocol (discovery always)      else DENIED
 *  6. privileged message from a privileged agent         else DENIED
 *  7. notification subscriptions need an eventq          else NOT_SUPPORTED
 *  8. the response buffer holds the fixed return values  else PROTOCOL_ERROR (nothing ran)
 */
static int scmi_validate(struct vbe_scmi_msg *m, uint32_t a2p_len, uint32_t p2a_room,
			 const struct vbe_scmi_msg_desc **out)
{
	uint8_t type = (uint8_t)((m->hdr >> VBE_SCMI_HDR_TYPE_SHIFT) & VBE_SCMI_HDR_TYPE_MASK);
	uint8_t pid = (uint8_t)((m->hdr >> VBE_SCMI_HDR_PROTO_SHIFT) & VBE_SCMI_HDR_PROTO_MASK);
	uint8_t id = (uint8_t)((m->hdr >> VBE_SCMI_HDR_ID_SHIFT) & VBE_SCMI_HDR_ID_MASK);
	const struct vbe_scmi_msg_desc *d;

	if (type != VBE_SCMI_TYPE_COMMAND) {
		return -EPROTO;
	}
	m->proto = vbe_scmi_protocol_find(pid);
	if (m->proto == NULL) {
		return -ENOTSUP;
	}
	if (id >= m->proto->msg_count || m->proto->msgs[id].handler == NULL) {
		return -ENOTSUP;
	}
	d = &m->proto->msgs[id];
	if (a2p_len != d->a2p_size) {
		return -EPROTO;
	}
	if ((d->flags & SCMI_MSG_F_DISCOVERY) == 0U &&
	    !vbe_scmi_agent_has_protocol(m->acfg, m->proto)) {
		return -EACCES;
	}
	if ((d->flags & SCMI_MSG_F_PRIVILEGED) != 0U &&
	    (m->acfg->flags & VBE_SCMI_AGENT_PRIVILEGED) == 0U) {
		return -EACCES;
	}
	if ((d->flags & SCMI_MSG_F_NOTIFY) != 0U && !m->dev->p2a) {
		return -ENOTSUP;
	}
	if (p2a_room < d->p2a_min) {
		return -EPROTO;
	}
	*out = d;
	return 0;
}

uint32_t vbe_scmi_dispatch(struct vbe_scmi_msg *m, const uint8_t *req, uint32_t req_len,
			   uint8_t *rsp, uint32_t rsp_room)
{
	const struct vbe_scmi_msg_desc *d = NULL;
	enum vbe_scmi_status status;
	uint32_t p2a_room = rsp_room - 8U;
	int rc;

	m->hdr = vbe_scmi_get_le32(req);
	m->a2p = req + 4;
	m->p2a = rsp + 8;
	/* the agent's buffer, and the transport's limit on any message (Linux: 128 bytes) */
	m->p2a_max = (p2a_room < SCMI_P2A_MAX) ? p2a_room : SCMI_P2A_MAX;
	m->p2a_len = 0;
	m->dresp_len = 0;

	rc = scmi_validate(m, req_len - 4U, m->p2a_max, &d);
	if (rc == 0) {
		rc = d->handler(m);
	}
	status = vbe_scmi_status_from_errno(rc);
	if (status != VBE_SCMI_SUCCESS || m->p2a_len > m->p2a_max) {
		if (status == VBE_SCMI_SUCCESS) {
			/* a handler overran its room: a server bug, never a guest's doing */
			VBE_LOG(VBE_LOG_ERR, "scmi: proto 0x%x msg 0x%x replied %u > %u bytes",
				(unsigned int)((m->hdr >> VBE_SCMI_HDR_PROTO_SHIFT) & 0xffU),
				(unsigned int)(m->hdr & 0xffU), (unsigned int)m->p2a_len,
				(unsigned int)m->p2a_max);
			status = VBE_SCMI_GENERIC_ERROR;
		}
		m->p2a_len = 0; /* 4.1.4: an error response carries the status only */
		m->dresp_len = 0;
	}
	/* the response echoes the command's header, token included (4.1.1) */
	vbe_scmi_put_le32(rsp, m->hdr);
	vbe_scmi_put_le32(rsp + 4, (uint32_t)(int32_t)status);
	return 8U + m->p2a_len;
}
