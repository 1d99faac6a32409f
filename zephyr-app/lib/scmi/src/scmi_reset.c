/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Reset domain management protocol (0x16), version 3.1 (DEN0056E 4.8). A line is asserted
 * while any agent holds it asserted; an autonomous reset is a pulse that reaches the
 * platform only when no other agent holds the line. RESET_ISSUED goes to the other agents
 * that subscribed.
 */

#include <errno.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <vbe/scmi.h>
#include <vbe/shmem.h>

#include "scmi_internal.h"

#define RESET_ATTR_EXT_NAME (1U << 29)
#define RESET_ATTR_NOTIFY (1U << 30)
#define RESET_ATTR_ASYNC (1U << 31)
#define RESET_FLAGS_KNOWN 0x7U

struct scmi_reset_domain_attributes_p2a {
	uint32_t attributes;
	uint32_t latency;
	uint8_t name[VBE_SCMI_NAME_SIZE];
};

struct scmi_reset_a2p {
	uint32_t domain_id;
	uint32_t flags;
	uint32_t reset_state;
};

static int reset_protocol_attributes(struct vbe_scmi_msg *m)
{
	return vbe_scmi_reply_attributes(m, 0, sizeof(struct scmi_u32));
}

static int reset_domain_attributes(struct vbe_scmi_msg *m)
{
	int line = vbe_scmi_lookup(m, offsetof(struct scmi_u32, v), 0);
	const struct vbe_scmi_reset_cfg *c;
	uint32_t attrs = 0;
	int rc = line;

	if (rc < 0) {
		goto exit;
	}
	c = &m->srv->cfg->resets[line];
	attrs |= m->dev->p2a ? (RESET_ATTR_ASYNC | RESET_ATTR_NOTIFY) : 0U;
	attrs |= vbe_scmi_put_short_name(
		m->p2a + offsetof(struct scmi_reset_domain_attributes_p2a, name), c->name,
		RESET_ATTR_EXT_NAME);
	SCMI_PUT(m->p2a, struct scmi_reset_domain_attributes_p2a, attributes, attrs);
	SCMI_PUT(m->p2a, struct scmi_reset_domain_attributes_p2a, latency, c->latency_us);
	m->p2a_len = sizeof(struct scmi_reset_domain_attributes_p2a);
	rc = 0;
exit:
	return rc;
}

/* An autonomous reset: assert and release, unless another agent holds the line. */
static int reset_pulse(struct vbe_scmi_msg *m, uint16_t line)
{
	int rc = vbe_scmi_reset_vote(m->srv, line, m->agent, true);

	if (rc != 0) {
		return rc;
	}
	return vbe_scmi_reset_vote(m->srv, line, m->agent, false);
}

/*
 * 4.8.2.5: flags bit 0 autonomous, bit 1 explicit assert (clear: release), bit 2 async
 * (RESET_COMPLETE on the eventq). reset_state: only the architectural cold reset (0).
 */
static int reset_reset(struct vbe_scmi_msg *m)
{
	uint32_t id = SCMI_GET(m->a2p, struct scmi_reset_a2p, domain_id);
	uint32_t flags = SCMI_GET(m->a2p, struct scmi_reset_a2p, flags);
	uint32_t state = SCMI_GET(m->a2p, struct scmi_reset_a2p, reset_state);
	int line = vbe_scmi_lookup(m, offsetof(struct scmi_reset_a2p, domain_id),
				   VBE_SCMI_PERM_STATE);
	int rc = line;

	if (line < 0) {
		goto exit;
	}
	rc = -EINVAL;
	if ((flags & ~RESET_FLAGS_KNOWN) != 0U || state != VBE_SCMI_RESET_ARCH_COLD) {
		goto exit;
	}
	if ((flags & VBE_SCMI_RESET_ASYNC) != 0U) {
		rc = vbe_scmi_async_check(m);
		if (rc != 0) {
			goto exit;
		}
	}
	if ((flags & VBE_SCMI_RESET_AUTONOMOUS) != 0U) {
		rc = reset_pulse(m, (uint16_t)line);
	} else {
		rc = vbe_scmi_reset_vote(m->srv, (uint16_t)line, m->agent,
					 (flags & VBE_SCMI_RESET_EXPLICIT_ASSERT) != 0U);
	}
	if (rc != 0) {
		goto exit;
	}
	/* RESET_ISSUED (4.8.4.1): agent_id, domain_id, reset_state */
	vbe_scmi_notify_res(m->srv, m->srv->reset[line].notify & ~SCMI_AGENT_BIT(m->agent),
			    VBE_SCMI_RES_RESET, (uint16_t)line, VBE_SCMI_RESET_ISSUED, m->agent,
			    &state, 1);
	if ((flags & VBE_SCMI_RESET_ASYNC) != 0U) {
		/* RESET_COMPLETE (4.8.3.1): domain_id */
		vbe_scmi_delayed(m, &id, 1);
	}
exit:
	return rc;
}

static int reset_notify(struct vbe_scmi_msg *m)
{
	int line = vbe_scmi_lookup(m, offsetof(struct scmi_id_notify_a2p, id), 0);

	return line < 0 ? line : vbe_scmi_subscribe(m, &m->srv->reset[line].notify);
}

static const struct vbe_scmi_msg_desc reset_msgs[SCMI_MSG_COUNT] = {
	[VBE_SCMI_MSG_PROTOCOL_VERSION] = { vbe_scmi_common_version, 0, 4, SCMI_MSG_F_DISCOVERY },
	[VBE_SCMI_MSG_PROTOCOL_ATTRIBUTES] = { reset_protocol_attributes, 0, 4,
					       SCMI_MSG_F_DISCOVERY },
	[VBE_SCMI_MSG_PROTOCOL_MESSAGE_ATTRIBUTES] = { vbe_scmi_common_msg_attributes, 4, 4,
						       SCMI_MSG_F_DISCOVERY },
	[VBE_SCMI_RESET_DOMAIN_ATTRIBUTES] = { reset_domain_attributes, 4,
					       sizeof(struct scmi_reset_domain_attributes_p2a), 0 },
	[VBE_SCMI_RESET] = { reset_reset, sizeof(struct scmi_reset_a2p), 0, 0 },
	[VBE_SCMI_RESET_NOTIFY] = { reset_notify, sizeof(struct scmi_id_notify_a2p), 0,
				    SCMI_MSG_F_NOTIFY },
	[VBE_SCMI_RESET_DOMAIN_NAME_GET] = { vbe_scmi_common_name_get, 4,
					     sizeof(struct scmi_name_get_p2a), 0 },
	[VBE_SCMI_MSG_NEGOTIATE_PROTOCOL_VERSION] = { vbe_scmi_common_negotiate, 4, 0,
						      SCMI_MSG_F_DISCOVERY },
};

_Static_assert(SCMI_ARRAY_SIZE(reset_msgs) == SCMI_MSG_COUNT, "one entry per message id");
_Static_assert(sizeof(struct scmi_reset_domain_attributes_p2a) == 24,
	       "RESET_DOMAIN_ATTRIBUTES is 24 bytes");

const struct vbe_scmi_protocol vbe_scmi_reset_protocol = {
	.id = VBE_SCMI_PROTO_RESET,
	.res = VBE_SCMI_RES_RESET,
	.version = VBE_SCMI_VERSION_RESET,
	.msgs = reset_msgs,
	.msg_count = SCMI_ARRAY_SIZE(reset_msgs),
};
