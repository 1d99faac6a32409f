/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Voltage domain management protocol (0x17), version 2.1 (DEN0056E 4.9). A regulator is on
 * while any agent has it on (CONFIG_GET reports the agent's own setting); the level is the
 * platform's, set by whichever agent may (VBE_SCMI_PERM_LEVEL).
 */

#include <errno.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <vbe/plat.h>
#include <vbe/scmi.h>
#include <vbe/shmem.h>

#include "scmi_internal.h"

#define VOLTAGE_ATTR_EXT_NAME (1U << 30)
#define VOLTAGE_ATTR_ASYNC (1U << 31)
#define VOLTAGE_CFG_MODE 0xfU

struct scmi_voltage_domain_attributes_p2a {
	uint32_t attributes;
	uint8_t name[VBE_SCMI_NAME_SIZE];
};

struct scmi_voltage_describe_levels_a2p {
	uint32_t domain_id;
	uint32_t level_index;
};

struct scmi_voltage_config_set_a2p {
	uint32_t domain_id;
	uint32_t config;
};

struct scmi_voltage_level_set_a2p {
	uint32_t domain_id;
	uint32_t flags;
	uint32_t level;
};

static int voltage_protocol_attributes(struct vbe_scmi_msg *m)
{
	return vbe_scmi_reply_attributes(m, 0, sizeof(struct scmi_u32));
}

static int voltage_domain_attributes(struct vbe_scmi_msg *m)
{
	int reg = vbe_scmi_lookup(m, offsetof(struct scmi_u32, v), 0);
	const char *name;
	uint32_t attrs = 0;
	int rc = reg;

	if (rc < 0) {
		goto exit;
	}
	name = m->srv->cfg->voltages[reg].name;
	attrs |= m->dev->p2a ? VOLTAGE_ATTR_ASYNC : 0U;
	attrs |= vbe_scmi_put_short_name(
		m->p2a + offsetof(struct scmi_voltage_domain_attributes_p2a, name), name,
		VOLTAGE_ATTR_EXT_NAME);
	SCMI_PUT(m->p2a, struct scmi_voltage_domain_attributes_p2a, attributes, attrs);
	m->p2a_len = sizeof(struct scmi_voltage_domain_attributes_p2a);
	rc = 0;
exit:
	return rc;
}

/* 4.9.2.5: flags 31:16 remaining, 12 range triplet, 11:0 returned; then signed µV. */
static int voltage_describe_levels(struct vbe_scmi_msg *m)
{
	uint32_t index = SCMI_GET(m->a2p, struct scmi_voltage_describe_levels_a2p, level_index);
	int reg = vbe_scmi_lookup(m, offsetof(struct scmi_voltage_describe_levels_a2p, domain_id),
				  0);
	const struct vbe_scmi_voltage_cfg *c;
	bool range;
	int rc = reg;

	if (reg < 0) {
		goto exit;
	}
	c = &m->srv->cfg->voltages[reg];
	range = (c->flags & VBE_SCMI_RES_F_RANGE) != 0U;
	rc = -EINVAL;
	if (range && index != 0U) {
		goto exit; /* the triplet {min, max, step} is one page */
	}
	rc = vbe_scmi_page(m, index, c->level_count, 4U,
			   range ? VBE_SCMI_VOLTAGE_LEVELS_RANGE : 0U);
	for (int i = 0; i < rc; i++) {
		vbe_scmi_put_le32(m->p2a + 4U + 4U * (uint32_t)i,
				  (uint32_t)c->levels[index + (uint32_t)i]);
	}
	rc = (rc < 0) ? rc : 0;
exit:
	return rc;
}

/* 4.9.2.6: architectural modes only: 0x0 off, 0x7 on. */
static int voltage_config_set(struct vbe_scmi_msg *m)
{
	uint32_t cfg = SCMI_GET(m->a2p, struct scmi_voltage_config_set_a2p, config);
	int reg = vbe_scmi_lookup(m, offsetof(struct scmi_voltage_config_set_a2p, domain_id),
				  VBE_SCMI_PERM_STATE);
	int rc = reg;

	if (reg < 0) {
		goto exit;
	}
	rc = -EINVAL;
	if ((cfg & ~VOLTAGE_CFG_MODE) != 0U) {
		goto exit;
	}
	rc = -ENOTSUP;
	if (cfg != VBE_SCMI_VOLTAGE_ARCH_ON && cfg != VBE_SCMI_VOLTAGE_ARCH_OFF) {
		goto exit; /* implementation-defined modes: none */
	}
	rc = vbe_scmi_voltage_vote(m->srv, (uint16_t)reg, m->agent,
				   cfg == VBE_SCMI_VOLTAGE_ARCH_ON);
exit:
	return rc;
}

static int voltage_config_get(struct vbe_scmi_msg *m)
{
	int reg = vbe_scmi_lookup(m, offsetof(struct scmi_u32, v), 0);
	bool on;

	if (reg < 0) {
		return reg;
	}
	on = (m->srv->voltage[reg].votes & SCMI_AGENT_BIT(m->agent)) != 0U;
	return vbe_scmi_reply_u32(m, on ? VBE_SCMI_VOLTAGE_ARCH_ON : VBE_SCMI_VOLTAGE_ARCH_OFF);
}

/* A level the domain supports: -ERANGE outside it, -EINVAL between two levels or steps. */
static int voltage_check_level(const struct vbe_scmi_voltage_cfg *c, int32_t uv)
{
	if ((c->flags & VBE_SCMI_RES_F_RANGE) != 0U) {
		if (uv < c->levels[0] || uv > c->levels[1]) {
			return -ERANGE;
		}
		return (((int64_t)uv - c->levels[0]) % c->levels[2]) == 0 ? 0 : -EINVAL;
	}
	if (uv < c->levels[0] || uv > c->levels[c->level_count - 1U]) {
		return -ERANGE;
	}
	for (uint8_t i = 0; i < c->level_count; i++) {
		if (c->levels[i] == uv) {
			return 0;
		}
	}
	return -EINVAL;
}

/* 4.9.2.8: sync, or async: VOLTAGE_LEVEL_SET_COMPLETE (domain_id, level) on the eventq. */
static int voltage_level_set(struct vbe_scmi_msg *m)
{
	uint32_t id = SCMI_GET(m->a2p, struct scmi_voltage_level_set_a2p, domain_id);
	uint32_t flags = SCMI_GET(m->a2p, struct scmi_voltage_level_set_a2p, flags);
	int32_t uv = (int32_t)SCMI_GET(m->a2p, struct scmi_voltage_level_set_a2p, level);
	int reg = vbe_scmi_lookup(m, offsetof(struct scmi_voltage_level_set_a2p, domain_id),
				  VBE_SCMI_PERM_LEVEL);
	int rc = reg;

	if (reg < 0) {
		goto exit;
	}
	rc = -EINVAL;
	if ((flags & ~VBE_SCMI_VOLTAGE_SET_ASYNC) != 0U) {
		goto exit;
	}
	if (flags != 0U) {
		rc = vbe_scmi_async_check(m);
		if (rc != 0) {
			goto exit;
		}
	}
	rc = voltage_check_level(&m->srv->cfg->voltages[reg], uv);
	if (rc != 0) {
		goto exit;
	}
	rc = vbe_plat_regulator_set_voltage(m->srv->plat, m->srv->cfg->voltages[reg].plat_id, uv,
					    uv);
	if (rc != 0) {
		goto exit;
	}
	m->srv->voltage[reg].level_uv = uv;
	if (flags != 0U) {
		/* VOLTAGE_LEVEL_SET_COMPLETE (4.9.3.1): domain_id, voltage_level */
		uint32_t done[2] = { id, (uint32_t)uv };

		vbe_scmi_delayed(m, done, 2);
	}
exit:
	return rc;
}

static int voltage_level_get(struct vbe_scmi_msg *m)
{
	int reg = vbe_scmi_lookup(m, offsetof(struct scmi_u32, v), 0);

	return reg < 0 ? reg : vbe_scmi_reply_u32(m, (uint32_t)m->srv->voltage[reg].level_uv);
}

static const struct vbe_scmi_msg_desc voltage_msgs[SCMI_MSG_COUNT] = {
	[VBE_SCMI_MSG_PROTOCOL_VERSION] = { vbe_scmi_common_version, 0, 4, SCMI_MSG_F_DISCOVERY },
	[VBE_SCMI_MSG_PROTOCOL_ATTRIBUTES] = { voltage_protocol_attributes, 0, 4,
					       SCMI_MSG_F_DISCOVERY },
	[VBE_SCMI_MSG_PROTOCOL_MESSAGE_ATTRIBUTES] = { vbe_scmi_common_msg_attributes, 4, 4,
						       SCMI_MSG_F_DISCOVERY },
	[VBE_SCMI_VOLTAGE_DOMAIN_ATTRIBUTES] = { voltage_domain_attributes, 4,
						 sizeof(struct scmi_voltage_domain_attributes_p2a),
						 0 },
	[VBE_SCMI_VOLTAGE_DESCRIBE_LEVELS] = { voltage_describe_levels,
					       sizeof(struct scmi_voltage_describe_levels_a2p), 16,
					       0 },
	[VBE_SCMI_VOLTAGE_CONFIG_SET] = { voltage_config_set,
					  sizeof(struct scmi_voltage_config_set_a2p), 0, 0 },
	[VBE_SCMI_VOLTAGE_CONFIG_GET] = { voltage_config_get, 4, 4, 0 },
	[VBE_SCMI_VOLTAGE_LEVEL_SET] = { voltage_level_set,
					 sizeof(struct scmi_voltage_level_set_a2p), 0, 0 },
	[VBE_SCMI_VOLTAGE_LEVEL_GET] = { voltage_level_get, 4, 4, 0 },
	[VBE_SCMI_VOLTAGE_DOMAIN_NAME_GET] = { vbe_scmi_common_name_get, 4,
					       sizeof(struct scmi_name_get_p2a), 0 },
	[VBE_SCMI_MSG_NEGOTIATE_PROTOCOL_VERSION] = { vbe_scmi_common_negotiate, 4, 0,
						      SCMI_MSG_F_DISCOVERY },
};

_Static_assert(SCMI_ARRAY_SIZE(voltage_msgs) == SCMI_MSG_COUNT, "one entry per message id");
_Static_assert(sizeof(struct scmi_voltage_domain_attributes_p2a) == 20,
	       "VOLTAGE_DOMAIN_ATTRIBUTES is 20 bytes");

const struct vbe_scmi_protocol vbe_scmi_voltage_protocol = {
	.id = VBE_SCMI_PROTO_VOLTAGE,
	.res = VBE_SCMI_RES_VOLTAGE,
	.version = VBE_SCMI_VERSION_VOLTAGE,
	.msgs = voltage_msgs,
	.msg_count = SCMI_ARRAY_SIZE(voltage_msgs),
};
