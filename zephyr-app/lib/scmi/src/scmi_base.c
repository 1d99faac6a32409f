/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Base protocol (0x10), version 2.1 (DEN0056E 4.2): discovery, agents, and the permission
 * commands a privileged agent uses to change what the others may touch.
 */

#include <errno.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <vbe/scmi.h>
#include <vbe/shmem.h>

#include "scmi_internal.h"

struct scmi_base_attributes_p2a {
	uint32_t attributes; /* 15:8 agents, 7:0 protocols (other than base) */
};

struct scmi_base_vendor_p2a {
	uint8_t vendor[VBE_SCMI_NAME_SIZE];
};

struct scmi_base_list_protocols_p2a {
	uint32_t num_protocols;
	uint8_t protocols[4]; /* at least one word; up to the room there is */
};

struct scmi_base_agent_p2a {
	uint32_t agent_id;
	uint8_t name[VBE_SCMI_NAME_SIZE];
};

struct scmi_base_set_device_permissions_a2p {
	uint32_t agent_id;
	uint32_t device_id;
	uint32_t flags; /* bit 0: 1 allow, 0 deny */
};

struct scmi_base_set_protocol_permissions_a2p {
	uint32_t agent_id;
	uint32_t device_id;
	uint32_t command_id; /* bits 7:0 protocol id */
	uint32_t flags;      /* bit 0: 1 allow, 0 deny */
};

struct scmi_base_reset_agent_a2p {
	uint32_t agent_id;
	uint32_t flags; /* bit 0: also reset the permissions */
};

/* Protocols other than base the caller may use, in protocol id order; with @p out, list them. */
static uint8_t base_protocols(const struct vbe_scmi_msg *m, uint8_t *out, uint8_t max)
{
	uint8_t n = 0;

	for (uint8_t id = VBE_SCMI_PROTO_BASE + 1U; id <= VBE_SCMI_PROTO_VOLTAGE; id++) {
		const struct vbe_scmi_protocol *p = vbe_scmi_protocol_find(id);

		if (p != NULL && vbe_scmi_agent_has_protocol(m->acfg, p)) {
			if (out != NULL && n < max) {
				out[n] = id;
			}
			n++;
		}
	}
	return n;
}

static int base_attributes(struct vbe_scmi_msg *m)
{
	uint32_t attrs = ((uint32_t)m->srv->cfg->agent_count << 8) | base_protocols(m, NULL, 0);

	SCMI_PUT(m->p2a, struct scmi_base_attributes_p2a, attributes, attrs);
	m->p2a_len = sizeof(struct scmi_base_attributes_p2a);
	return 0;
}

static int base_vendor(struct vbe_scmi_msg *m)
{
	vbe_scmi_put_name(m->p2a, VBE_SCMI_NAME_SIZE, m->srv->cfg->vendor);
	m->p2a_len = sizeof(struct scmi_base_vendor_p2a);
	return 0;
}

static int base_sub_vendor(struct vbe_scmi_msg *m)
{
	vbe_scmi_put_name(m->p2a, VBE_SCMI_NAME_SIZE, m->srv->cfg->sub_vendor);
	m->p2a_len = sizeof(struct scmi_base_vendor_p2a);
	return 0;
}

static int base_impl_version(struct vbe_scmi_msg *m)
{
	return vbe_scmi_reply_u32(m, m->srv->cfg->impl_version);
}

/* 4.2.2.7: skip the first @skip; as many ids as the room allows, padded to a word. */
static int base_list_protocols(struct vbe_scmi_msg *m)
{
	uint8_t ids[VBE_SCMI_PROTO_VOLTAGE - VBE_SCMI_PROTO_BASE];
	uint32_t skip = SCMI_GET(m->a2p, struct scmi_u32, v);
	uint8_t total = base_protocols(m, ids, sizeof(ids));
	uint32_t fit = ((m->p2a_max - 4U) / 4U) * 4U;
	uint32_t n;
	int rc = -EINVAL;

	if (skip > total) {
		goto exit;
	}
	n = total - skip;
	n = (n < fit) ? n : fit;
	SCMI_PUT(m->p2a, struct scmi_base_list_protocols_p2a, num_protocols, n);
	memset(m->p2a + 4, 0, (n + 3U) & ~3U);
	memcpy(m->p2a + 4, &ids[skip], n);
	m->p2a_len = 4U + ((n + 3U) & ~3U);
	rc = 0;
exit:
	return rc;
}

/* 4.2.2.8: 0 is the platform, 0xffffffff the caller, 1..n the agents. */
static int base_discover_agent(struct vbe_scmi_msg *m)
{
	uint32_t id = SCMI_GET(m->a2p, struct scmi_u32, v);
	const char *name = "platform";
	int rc = -ENOENT;

	if (id == VBE_SCMI_BASE_AGENT_SELF) {
		id = m->agent;
	}
	if (id != VBE_SCMI_BASE_AGENT_PLATFORM) {
		if (id > m->srv->cfg->agent_count) {
			goto exit;
		}
		name = m->srv->cfg->agents[id - 1U].name;
	}
	SCMI_PUT(m->p2a, struct scmi_base_agent_p2a, agent_id, id);
	vbe_scmi_put_name(m->p2a + offsetof(struct scmi_base_agent_p2a, name), VBE_SCMI_NAME_SIZE,
			  name);
	m->p2a_len = sizeof(struct scmi_base_agent_p2a);
	rc = 0;
exit:
	return rc;
}

/* 4.2.2.9: BASE_ERROR_EVENT subscription (recorded; vbe reports no such errors). */
static int base_notify_errors(struct vbe_scmi_msg *m)
{
	uint32_t en = SCMI_GET(m->a2p, struct scmi_u32, v);
	int rc = -EINVAL;

	if ((en & ~1U) != 0U) {
		goto exit;
	}
	m->srv->agent[m->agent - 1U].notify_errors = (en != 0U);
	rc = 0;
exit:
	return rc;
}

/* A target agent of the permission commands: 1..n (the platform is not managed). */
static struct vbe_scmi_agent_state *base_target(struct vbe_scmi_msg *m, uint32_t id)
{
	if (id == VBE_SCMI_BASE_AGENT_PLATFORM || id > m->srv->cfg->agent_count) {
		return NULL;
	}
	return &m->srv->agent[id - 1U];
}

/* 4.2.2.10: deny or allow an agent every resource of a device; denial releases its holds. */
static int base_set_device_permissions(struct vbe_scmi_msg *m)
{
	uint32_t id = SCMI_GET(m->a2p, struct scmi_base_set_device_permissions_a2p, agent_id);
	uint32_t dev = SCMI_GET(m->a2p, struct scmi_base_set_device_permissions_a2p, device_id);
	uint32_t flags = SCMI_GET(m->a2p, struct scmi_base_set_device_permissions_a2p, flags);
	struct vbe_scmi_agent_state *a = base_target(m, id);
	int rc = -ENOENT;

	if (a == NULL || dev >= m->srv->cfg->device_count) {
		goto exit;
	}
	rc = -EINVAL;
	if ((flags & ~1U) != 0U) {
		goto exit;
	}
	if ((flags & 1U) != 0U) {
		a->dev_denied &= ~(1UL << dev);
	} else {
		vbe_scmi_release(m->srv, (uint8_t)id, (int)dev, SCMI_ALL_KINDS);
		a->dev_denied |= 1UL << dev;
	}
	rc = 0;
exit:
	return rc;
}

/* 4.2.2.11: deny or allow an agent one protocol's resources of a device. */
static int base_set_protocol_permissions(struct vbe_scmi_msg *m)
{
	uint32_t id = SCMI_GET(m->a2p, struct scmi_base_set_protocol_permissions_a2p, agent_id);
	uint32_t dev = SCMI_GET(m->a2p, struct scmi_base_set_protocol_permissions_a2p, device_id);
	uint32_t cmd = SCMI_GET(m->a2p, struct scmi_base_set_protocol_permissions_a2p, command_id);
	uint32_t flags = SCMI_GET(m->a2p, struct scmi_base_set_protocol_permissions_a2p, flags);
	struct vbe_scmi_agent_state *a = base_target(m, id);
	const struct vbe_scmi_protocol *p;
	uint16_t bit;
	int rc = -ENOENT;

	if (a == NULL || dev >= m->srv->cfg->device_count) {
		goto exit;
	}
	rc = -EINVAL;
	if ((flags & ~1U) != 0U || (cmd & ~0xffU) != 0U) {
		goto exit;
	}
	rc = -EACCES;
	if (cmd == VBE_SCMI_PROTO_BASE) {
		goto exit; /* access to the base protocol cannot be taken away */
	}
	rc = -ENOENT;
	p = vbe_scmi_protocol_find((uint8_t)cmd);
	if (p == NULL || p->res < 0) {
		goto exit; /* system power has no device resources; unknown ids do not exist */
	}
	bit = (uint16_t)(1U << (cmd - VBE_SCMI_PROTO_BASE));
	if ((flags & 1U) != 0U) {
		a->proto_denied[dev] &= (uint16_t)~bit;
	} else {
		vbe_scmi_release(m->srv, (uint8_t)id, (int)dev, 1U << p->res);
		a->proto_denied[dev] |= bit;
	}
	rc = 0;
exit:
	return rc;
}

/* 4.2.2.12: release everything the agent holds; flags bit 0 also restores its permissions. */
static int base_reset_agent(struct vbe_scmi_msg *m)
{
	uint32_t id = SCMI_GET(m->a2p, struct scmi_base_reset_agent_a2p, agent_id);
	uint32_t flags = SCMI_GET(m->a2p, struct scmi_base_reset_agent_a2p, flags);
	int rc = -ENOENT;

	if (base_target(m, id) == NULL) {
		goto exit;
	}
	rc = -EINVAL;
	if ((flags & ~1U) != 0U) {
		goto exit;
	}
	rc = vbe_scmi_agent_reset(m->srv, (uint8_t)id, (flags & 1U) != 0U);
exit:
	return rc;
}

static const struct vbe_scmi_msg_desc base_msgs[SCMI_MSG_COUNT] = {
	[VBE_SCMI_MSG_PROTOCOL_VERSION] = { vbe_scmi_common_version, 0, 4, SCMI_MSG_F_DISCOVERY },
	[VBE_SCMI_MSG_PROTOCOL_ATTRIBUTES] = { base_attributes, 0,
					       sizeof(struct scmi_base_attributes_p2a),
					       SCMI_MSG_F_DISCOVERY },
	[VBE_SCMI_MSG_PROTOCOL_MESSAGE_ATTRIBUTES] = { vbe_scmi_common_msg_attributes, 4, 4,
						       SCMI_MSG_F_DISCOVERY },
	[VBE_SCMI_BASE_DISCOVER_VENDOR] = { base_vendor, 0, sizeof(struct scmi_base_vendor_p2a),
					    0 },
	[VBE_SCMI_BASE_DISCOVER_SUB_VENDOR] = { base_sub_vendor, 0,
						sizeof(struct scmi_base_vendor_p2a), 0 },
	[VBE_SCMI_BASE_DISCOVER_IMPLEMENTATION_VERSION] = { base_impl_version, 0, 4, 0 },
	[VBE_SCMI_BASE_DISCOVER_LIST_PROTOCOLS] = {
		base_list_protocols, 4, sizeof(struct scmi_base_list_protocols_p2a), 0 },
	[VBE_SCMI_BASE_DISCOVER_AGENT] = { base_discover_agent, 4,
					   sizeof(struct scmi_base_agent_p2a), 0 },
	[VBE_SCMI_BASE_NOTIFY_ERRORS] = { base_notify_errors, 4, 0, SCMI_MSG_F_NOTIFY },
	[VBE_SCMI_BASE_SET_DEVICE_PERMISSIONS] = {
		base_set_device_permissions, sizeof(struct scmi_base_set_device_permissions_a2p), 0,
		SCMI_MSG_F_PRIVILEGED },
	[VBE_SCMI_BASE_SET_PROTOCOL_PERMISSIONS] = {
		base_set_protocol_permissions,
		sizeof(struct scmi_base_set_protocol_permissions_a2p), 0, SCMI_MSG_F_PRIVILEGED },
	[VBE_SCMI_BASE_RESET_AGENT_CONFIGURATION] = { base_reset_agent,
						      sizeof(struct scmi_base_reset_agent_a2p), 0,
						      SCMI_MSG_F_PRIVILEGED },
	[VBE_SCMI_MSG_NEGOTIATE_PROTOCOL_VERSION] = { vbe_scmi_common_negotiate, 4, 0,
						      SCMI_MSG_F_DISCOVERY },
};

_Static_assert(SCMI_ARRAY_SIZE(base_msgs) == SCMI_MSG_COUNT, "one entry per message id");
_Static_assert(sizeof(struct scmi_base_set_protocol_permissions_a2p) <= SCMI_A2P_MAX,
	       "requests fit the request buffer");
_Static_assert(VBE_SCMI_MAX_DEVICES <= 32, "dev_denied has a bit per device");

const struct vbe_scmi_protocol vbe_scmi_base_protocol = {
	.id = VBE_SCMI_PROTO_BASE,
	.res = -1,
	.version = VBE_SCMI_VERSION_BASE,
	.msgs = base_msgs,
	.msg_count = SCMI_ARRAY_SIZE(base_msgs),
};
