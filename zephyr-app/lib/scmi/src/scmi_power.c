/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Power domain management protocol (0x11), version 3.1 (DEN0056E 4.3). Domains have two
 * states, ON (0) and OFF (bit 30); a domain is on while any agent wants it on. STATE_GET
 * returns the platform's state, POWER_STATE_CHANGED reports each change of it.
 */

#include <errno.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <vbe/scmi.h>
#include <vbe/shmem.h>

#include "scmi_internal.h"

#define POWER_ATTR_EXT_NAME (1U << 27)
#define POWER_ATTR_SYNC (1U << 29)
#define POWER_ATTR_ASYNC (1U << 30)
#define POWER_ATTR_NOTIFY (1U << 31)
#define POWER_SET_ASYNC 0x1U

struct scmi_power_protocol_attributes_p2a {
	uint32_t attributes; /* 15:0 domains */
	uint32_t stats_addr_low;
	uint32_t stats_addr_high;
	uint32_t stats_len;
};

struct scmi_power_domain_attributes_p2a {
	uint32_t attributes;
	uint8_t name[VBE_SCMI_NAME_SIZE];
};

struct scmi_power_state_set_a2p {
	uint32_t flags;
	uint32_t domain_id;
	uint32_t power_state;
};

static int power_protocol_attributes(struct vbe_scmi_msg *m)
{
	return vbe_scmi_reply_attributes(m, 0, sizeof(struct scmi_power_protocol_attributes_p2a));
}

static int power_domain_attributes(struct vbe_scmi_msg *m)
{
	int pd = vbe_scmi_lookup(m, offsetof(struct scmi_u32, v), 0);
	const char *name;
	uint32_t attrs = POWER_ATTR_SYNC | POWER_ATTR_ASYNC;
	int rc = pd;

	if (rc < 0) {
		goto exit;
	}
	name = m->srv->cfg->power[pd].name;
	attrs |= m->dev->p2a ? POWER_ATTR_NOTIFY : 0U;
	attrs |= vbe_scmi_put_short_name(
		m->p2a + offsetof(struct scmi_power_domain_attributes_p2a, name), name,
		POWER_ATTR_EXT_NAME);
	SCMI_PUT(m->p2a, struct scmi_power_domain_attributes_p2a, attributes, attrs);
	m->p2a_len = sizeof(struct scmi_power_domain_attributes_p2a);
	rc = 0;
exit:
	return rc;
}

/*
 * 4.3.2.5: the agent's vote. Async (flags bit 0) completes the same way: the change is done
 * when the response goes out, and POWER_STATE_CHANGED reports it (there is no delayed
 * response for this command).
 */
static int power_state_set(struct vbe_scmi_msg *m)
{
	uint32_t flags = SCMI_GET(m->a2p, struct scmi_power_state_set_a2p, flags);
	uint32_t state = SCMI_GET(m->a2p, struct scmi_power_state_set_a2p, power_state);
	int pd = vbe_scmi_lookup(m, offsetof(struct scmi_power_state_set_a2p, domain_id),
				 VBE_SCMI_PERM_STATE);
	int rc = pd;

	if (pd < 0) {
		goto exit;
	}
	rc = -EINVAL;
	if ((flags & ~POWER_SET_ASYNC) != 0U ||
	    (state != VBE_SCMI_POWER_ON && state != VBE_SCMI_POWER_OFF)) {
		goto exit;
	}
	rc = vbe_scmi_power_vote(m->srv, (uint16_t)pd, m->agent, state == VBE_SCMI_POWER_ON);
exit:
	return rc;
}

static int power_state_get(struct vbe_scmi_msg *m)
{
	int pd = vbe_scmi_lookup(m, offsetof(struct scmi_u32, v), 0);

	return pd < 0 ? pd : vbe_scmi_reply_u32(m, m->srv->power[pd].state);
}

static int power_state_notify(struct vbe_scmi_msg *m)
{
	int pd = vbe_scmi_lookup(m, offsetof(struct scmi_id_notify_a2p, id), 0);

	return pd < 0 ? pd : vbe_scmi_subscribe(m, &m->srv->power[pd].notify);
}

static const struct vbe_scmi_msg_desc power_msgs[SCMI_MSG_COUNT] = {
	[VBE_SCMI_MSG_PROTOCOL_VERSION] = { vbe_scmi_common_version, 0, 4, SCMI_MSG_F_DISCOVERY },
	[VBE_SCMI_MSG_PROTOCOL_ATTRIBUTES] = { power_protocol_attributes, 0,
					       sizeof(struct scmi_power_protocol_attributes_p2a),
					       SCMI_MSG_F_DISCOVERY },
	[VBE_SCMI_MSG_PROTOCOL_MESSAGE_ATTRIBUTES] = { vbe_scmi_common_msg_attributes, 4, 4,
						       SCMI_MSG_F_DISCOVERY },
	[VBE_SCMI_POWER_DOMAIN_ATTRIBUTES] = { power_domain_attributes, 4,
					       sizeof(struct scmi_power_domain_attributes_p2a), 0 },
	[VBE_SCMI_POWER_STATE_SET] = { power_state_set, sizeof(struct scmi_power_state_set_a2p),
				       0, 0 },
	[VBE_SCMI_POWER_STATE_GET] = { power_state_get, 4, 4, 0 },
	[VBE_SCMI_POWER_STATE_NOTIFY] = { power_state_notify, sizeof(struct scmi_id_notify_a2p), 0,
					  SCMI_MSG_F_NOTIFY },
	[VBE_SCMI_POWER_DOMAIN_NAME_GET] = { vbe_scmi_common_name_get, 4,
					     sizeof(struct scmi_name_get_p2a), 0 },
	[VBE_SCMI_MSG_NEGOTIATE_PROTOCOL_VERSION] = { vbe_scmi_common_negotiate, 4, 0,
						      SCMI_MSG_F_DISCOVERY },
};

_Static_assert(SCMI_ARRAY_SIZE(power_msgs) == SCMI_MSG_COUNT, "one entry per message id");
_Static_assert(sizeof(struct scmi_power_domain_attributes_p2a) == 20,
	       "POWER_DOMAIN_ATTRIBUTES is 20 bytes");

const struct vbe_scmi_protocol vbe_scmi_power_protocol = {
	.id = VBE_SCMI_PROTO_POWER,
	.res = VBE_SCMI_RES_POWER,
	.version = VBE_SCMI_VERSION_POWER,
	.msgs = power_msgs,
	.msg_count = SCMI_ARRAY_SIZE(power_msgs),
};
