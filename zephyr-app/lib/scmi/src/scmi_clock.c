/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Clock management protocol (0x14), version 3.0 (DEN0056E 4.6): the message table,
 * attributes, on/off, names, subscriptions, permissions; rates are in scmi_clock_rate.c.
 * Clock ids are agent-local. On/off is reference-counted across agents (scmi_arb.c) and
 * CLOCK_CONFIG_GET / the attributes' enabled bit report the caller's own vote.
 */

#include <errno.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <vbe/scmi.h>
#include <vbe/shmem.h>

#include "scmi_clock.h"
#include "scmi_internal.h"

#define CLOCK_ATTR_ENABLED 0x1U
#define CLOCK_ATTR_GET_PERMISSIONS 0x2U
#define CLOCK_ATTR_EXT_NAME (1U << 29)
#define CLOCK_ATTR_NOTIFY_REQUESTED (1U << 30)
#define CLOCK_ATTR_NOTIFY_CHANGED (1U << 31)
#define CLOCK_PERM_RATE (1U << 29)  /* CLOCK_GET_PERMISSIONS */
#define CLOCK_PERM_STATE (1U << 31)
#define CLOCK_CFG_STATE_MASK 0x3U
#define CLOCK_CFG_OEM_SHIFT 16
#define CLOCK_CFG_KNOWN (CLOCK_CFG_STATE_MASK | (0xffU << CLOCK_CFG_OEM_SHIFT))

static int clock_protocol_attributes(struct vbe_scmi_msg *m)
{
	uint32_t async = m->dev->p2a ? VBE_SCMI_DELAYED_MAX : 0U; /* no eventq: never async */

	return vbe_scmi_reply_attributes(m, async << 16, sizeof(struct scmi_u32));
}

static int clock_attributes(struct vbe_scmi_msg *m)
{
	int clk = vbe_scmi_lookup(m, offsetof(struct scmi_u32, v), 0);
	const struct vbe_scmi_clock_cfg *c;
	uint32_t attrs = CLOCK_ATTR_GET_PERMISSIONS;
	int rc = clk;

	if (rc < 0) {
		goto exit;
	}
	c = &m->srv->cfg->clocks[clk];
	if ((m->srv->clock[clk].votes & SCMI_AGENT_BIT(m->agent)) != 0U) {
		attrs |= CLOCK_ATTR_ENABLED; /* the agent's own view: its vote */
	}
	if (m->dev->p2a) {
		attrs |= CLOCK_ATTR_NOTIFY_CHANGED | CLOCK_ATTR_NOTIFY_REQUESTED;
	}
	attrs |= vbe_scmi_put_short_name(m->p2a + offsetof(struct scmi_clock_attributes_p2a, name),
					 c->name, CLOCK_ATTR_EXT_NAME);
	SCMI_PUT(m->p2a, struct scmi_clock_attributes_p2a, attributes, attrs);
	SCMI_PUT(m->p2a, struct scmi_clock_attributes_p2a, enable_latency, c->enable_latency_us);
	m->p2a_len = sizeof(struct scmi_clock_attributes_p2a);
	rc = 0;
exit:
	return rc;
}

/* 4.6.2.8 (v3 layout): bits 1:0 state, 23:16 OEM type (none supported). */
static int clock_config_set(struct vbe_scmi_msg *m)
{
	uint32_t attrs = SCMI_GET(m->a2p, struct scmi_clock_config_set_a2p, attributes);
	uint32_t state = attrs & CLOCK_CFG_STATE_MASK;
	int clk = vbe_scmi_lookup(m, offsetof(struct scmi_clock_config_set_a2p, id),
				  VBE_SCMI_PERM_STATE);
	int rc = clk;

	if (clk < 0) {
		goto exit;
	}
	rc = -EINVAL;
	if ((attrs & ~CLOCK_CFG_KNOWN) != 0U) {
		goto exit;
	}
	rc = -ENOTSUP;
	if ((attrs >> CLOCK_CFG_OEM_SHIFT) != 0U) {
		goto exit;
	}
	rc = -EINVAL;
	if (state != VBE_SCMI_CLOCK_STATE_ENABLE && state != VBE_SCMI_CLOCK_STATE_DISABLE) {
		goto exit; /* reserved, or "unchanged" without an OEM setting */
	}
	rc = vbe_scmi_clock_vote(m->srv, (uint16_t)clk, m->agent,
				 state == VBE_SCMI_CLOCK_STATE_ENABLE);
exit:
	return rc;
}

static int clock_notify(struct vbe_scmi_msg *m, bool requested)
{
	int clk = vbe_scmi_lookup(m, offsetof(struct scmi_id_notify_a2p, id), 0);

	if (clk < 0) {
		return clk;
	}
	return vbe_scmi_subscribe(m, requested ? &m->srv->clock[clk].notify_req
					       : &m->srv->clock[clk].notify_rate);
}

static int clock_rate_notify(struct vbe_scmi_msg *m)
{
	return clock_notify(m, false);
}

static int clock_rate_change_requested_notify(struct vbe_scmi_msg *m)
{
	return clock_notify(m, true);
}

static int clock_config_get(struct vbe_scmi_msg *m)
{
	uint32_t flags = SCMI_GET(m->a2p, struct scmi_clock_config_get_a2p, flags);
	int clk = vbe_scmi_lookup(m, offsetof(struct scmi_clock_config_get_a2p, id), 0);
	bool on;
	int rc = clk;

	if (rc < 0) {
		goto exit;
	}
	rc = -EINVAL;
	if ((flags & ~0xffU) != 0U) {
		goto exit;
	}
	rc = -ENOTSUP;
	if (flags != 0U) {
		goto exit; /* no OEM configuration types */
	}
	on = (m->srv->clock[clk].votes & SCMI_AGENT_BIT(m->agent)) != 0U;
	SCMI_PUT(m->p2a, struct scmi_clock_config_get_p2a, attributes, 0U);
	SCMI_PUT(m->p2a, struct scmi_clock_config_get_p2a, config, on ? 1U : 0U);
	SCMI_PUT(m->p2a, struct scmi_clock_config_get_p2a, oem_config_val, 0U);
	m->p2a_len = sizeof(struct scmi_clock_config_get_p2a);
	rc = 0;
exit:
	return rc;
}

static int clock_get_permissions(struct vbe_scmi_msg *m)
{
	uint32_t id = SCMI_GET(m->a2p, struct scmi_u32, v);
	int clk = vbe_scmi_lookup(m, offsetof(struct scmi_u32, v), 0);
	uint8_t perms;

	if (clk < 0) {
		return clk;
	}
	perms = m->acfg->grants[VBE_SCMI_RES_CLOCK][id].perms;
	return vbe_scmi_reply_u32(m, ((perms & VBE_SCMI_PERM_STATE) != 0U ? CLOCK_PERM_STATE : 0U) |
				     ((perms & VBE_SCMI_PERM_LEVEL) != 0U ? CLOCK_PERM_RATE : 0U));
}

static const struct vbe_scmi_msg_desc clock_msgs[SCMI_MSG_COUNT] = {
	[VBE_SCMI_MSG_PROTOCOL_VERSION] = { vbe_scmi_common_version, 0, 4, SCMI_MSG_F_DISCOVERY },
	[VBE_SCMI_MSG_PROTOCOL_ATTRIBUTES] = { clock_protocol_attributes, 0, 4,
					       SCMI_MSG_F_DISCOVERY },
	[VBE_SCMI_MSG_PROTOCOL_MESSAGE_ATTRIBUTES] = { vbe_scmi_common_msg_attributes, 4, 4,
						       SCMI_MSG_F_DISCOVERY },
	[VBE_SCMI_CLOCK_ATTRIBUTES] = { clock_attributes, 4,
					sizeof(struct scmi_clock_attributes_p2a), 0 },
	[VBE_SCMI_CLOCK_DESCRIBE_RATES] = { vbe_scmi_clock_describe_rates,
					    sizeof(struct scmi_clock_describe_rates_a2p),
					    sizeof(struct scmi_clock_describe_rates_p2a), 0 },
	[VBE_SCMI_CLOCK_RATE_SET] = { vbe_scmi_clock_rate_set,
				      sizeof(struct scmi_clock_rate_set_a2p), 0, 0 },
	[VBE_SCMI_CLOCK_RATE_GET] = { vbe_scmi_clock_rate_get, 4,
				      sizeof(struct scmi_clock_rate_p2a), 0 },
	[VBE_SCMI_CLOCK_CONFIG_SET] = { clock_config_set, sizeof(struct scmi_clock_config_set_a2p),
					0, 0 },
	[VBE_SCMI_CLOCK_NAME_GET] = { vbe_scmi_common_name_get, 4,
				      sizeof(struct scmi_name_get_p2a), 0 },
	[VBE_SCMI_CLOCK_RATE_NOTIFY] = { clock_rate_notify, sizeof(struct scmi_id_notify_a2p), 0,
					 SCMI_MSG_F_NOTIFY },
	[VBE_SCMI_CLOCK_RATE_CHANGE_REQUESTED_NOTIFY] = { clock_rate_change_requested_notify,
							  sizeof(struct scmi_id_notify_a2p), 0,
							  SCMI_MSG_F_NOTIFY },
	[VBE_SCMI_CLOCK_CONFIG_GET] = { clock_config_get, sizeof(struct scmi_clock_config_get_a2p),
					sizeof(struct scmi_clock_config_get_p2a), 0 },
	[VBE_SCMI_CLOCK_GET_PERMISSIONS] = { clock_get_permissions, 4, 4, 0 },
	[VBE_SCMI_MSG_NEGOTIATE_PROTOCOL_VERSION] = { vbe_scmi_common_negotiate, 4, 0,
						      SCMI_MSG_F_DISCOVERY },
};

_Static_assert(SCMI_ARRAY_SIZE(clock_msgs) == SCMI_MSG_COUNT, "one entry per message id");
_Static_assert(sizeof(struct scmi_clock_attributes_p2a) == 24, "CLOCK_ATTRIBUTES is 24 bytes");
_Static_assert(sizeof(struct scmi_clock_rate_set_a2p) == 16, "CLOCK_RATE_SET is 16 bytes");
_Static_assert(sizeof(struct scmi_clock_config_set_a2p) == 12, "v3 CLOCK_CONFIG_SET: 12 bytes");
_Static_assert(4 + 3 * 8 <= sizeof(struct scmi_clock_describe_rates_p2a),
	       "a range triplet always fits");

const struct vbe_scmi_protocol vbe_scmi_clock_protocol = {
	.id = VBE_SCMI_PROTO_CLOCK,
	.res = VBE_SCMI_RES_CLOCK,
	.version = VBE_SCMI_VERSION_CLOCK,
	.msgs = clock_msgs,
	.msg_count = SCMI_ARRAY_SIZE(clock_msgs),
};
