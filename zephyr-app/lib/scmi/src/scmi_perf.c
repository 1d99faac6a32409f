/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Performance domain management protocol (0x13), version 4.0 (DEN0056E 4.5). Each agent
 * has its own requested level and limits; the platform runs at the highest requested level
 * within the intersection of every agent's limits (scmi_arb.c). No fast channels, no level
 * indexing: levels are the abstract values of the domain's table.
 */

#include <errno.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <vbe/scmi.h>
#include <vbe/shmem.h>

#include "scmi_internal.h"

#define PERF_PROTO_POWER_MW (1U << 16)
#define PERF_ATTR_EXT_NAME (1U << 26)
#define PERF_ATTR_LEVEL_NOTIFY (1U << 28)
#define PERF_ATTR_LIMITS_NOTIFY (1U << 29)
#define PERF_ATTR_SET_LEVEL (1U << 30)
#define PERF_ATTR_SET_LIMITS (1U << 31)

struct scmi_perf_protocol_attributes_p2a {
	uint32_t attributes; /* 15:0 domains, 16 power in mW */
	uint32_t stats_addr_low;
	uint32_t stats_addr_high;
	uint32_t stats_len;
};

struct scmi_perf_domain_attributes_p2a {
	uint32_t attributes;
	uint32_t rate_limit_us;
	uint32_t sustained_freq_khz;
	uint32_t sustained_perf_level;
	uint8_t name[VBE_SCMI_NAME_SIZE];
};

struct scmi_perf_describe_levels_a2p {
	uint32_t domain_id;
	uint32_t level_index;
};

/* v4.0 level entry: five words */
struct scmi_perf_level_entry {
	uint32_t perf_level;
	uint32_t power_cost;
	uint32_t latency; /* 15:0 worst-case transition latency, µs */
	uint32_t indicative_freq_khz;
	uint32_t level_index;
};

struct scmi_perf_limits_set_a2p {
	uint32_t domain_id;
	uint32_t range_max;
	uint32_t range_min;
};

struct scmi_perf_limits_p2a {
	uint32_t range_max;
	uint32_t range_min;
};

struct scmi_perf_level_set_a2p {
	uint32_t domain_id;
	uint32_t level;
};

static int perf_protocol_attributes(struct vbe_scmi_msg *m)
{
	return vbe_scmi_reply_attributes(m, PERF_PROTO_POWER_MW,
					 sizeof(struct scmi_perf_protocol_attributes_p2a));
}

static int perf_domain_attributes(struct vbe_scmi_msg *m)
{
	uint32_t id = SCMI_GET(m->a2p, struct scmi_u32, v);
	int dom = vbe_scmi_lookup(m, offsetof(struct scmi_u32, v), 0);
	const struct vbe_scmi_perf_cfg *c;
	const struct vbe_scmi_perf_level *s;
	uint8_t perms;
	uint32_t attrs = 0;
	int rc = dom;

	if (rc < 0) {
		goto exit;
	}
	c = &m->srv->cfg->perf[dom];
	s = &c->levels[c->sustained];
	perms = m->acfg->grants[VBE_SCMI_RES_PERF][id].perms;
	if ((perms & VBE_SCMI_PERM_LEVEL) != 0U) {
		attrs |= PERF_ATTR_SET_LEVEL | PERF_ATTR_SET_LIMITS;
	}
	attrs |= m->dev->p2a ? (PERF_ATTR_LEVEL_NOTIFY | PERF_ATTR_LIMITS_NOTIFY) : 0U;
	attrs |= vbe_scmi_put_short_name(
		m->p2a + offsetof(struct scmi_perf_domain_attributes_p2a, name), c->name,
		PERF_ATTR_EXT_NAME);
	SCMI_PUT(m->p2a, struct scmi_perf_domain_attributes_p2a, attributes, attrs);
	SCMI_PUT(m->p2a, struct scmi_perf_domain_attributes_p2a, rate_limit_us, c->rate_limit_us);
	SCMI_PUT(m->p2a, struct scmi_perf_domain_attributes_p2a, sustained_freq_khz, s->freq_khz);
	SCMI_PUT(m->p2a, struct scmi_perf_domain_attributes_p2a, sustained_perf_level, s->level);
	m->p2a_len = sizeof(struct scmi_perf_domain_attributes_p2a);
	rc = 0;
exit:
	return rc;
}

/* 4.5.2.5: num_levels word (31:16 remaining, 11:0 returned), then five-word entries. */
static int perf_describe_levels(struct vbe_scmi_msg *m)
{
	uint32_t index = SCMI_GET(m->a2p, struct scmi_perf_describe_levels_a2p, level_index);
	int dom = vbe_scmi_lookup(m, offsetof(struct scmi_perf_describe_levels_a2p, domain_id), 0);
	const struct vbe_scmi_perf_cfg *c;
	int rc = dom;

	if (dom < 0) {
		goto exit;
	}
	c = &m->srv->cfg->perf[dom];
	rc = vbe_scmi_page(m, index, c->level_count, sizeof(struct scmi_perf_level_entry), 0U);
	for (int i = 0; i < rc; i++) {
		const struct vbe_scmi_perf_level *l = &c->levels[index + (uint32_t)i];
		uint8_t *e = m->p2a + 4U + (uint32_t)i * sizeof(struct scmi_perf_level_entry);

		SCMI_PUT(e, struct scmi_perf_level_entry, perf_level, l->level);
		SCMI_PUT(e, struct scmi_perf_level_entry, power_cost, l->power_mw);
		SCMI_PUT(e, struct scmi_perf_level_entry, latency, l->latency_us);
		SCMI_PUT(e, struct scmi_perf_level_entry, indicative_freq_khz, l->freq_khz);
		SCMI_PUT(e, struct scmi_perf_level_entry, level_index, index + (uint32_t)i);
	}
	rc = (rc < 0) ? rc : 0;
exit:
	return rc;
}

static bool perf_is_level(const struct vbe_scmi_perf_cfg *c, uint32_t level)
{
	for (uint8_t i = 0; i < c->level_count; i++) {
		if (c->levels[i].level == level) {
			return true;
		}
	}
	return false;
}

/* 4.5.2.6: the agent's own limits; both must be levels of the table, min <= max. */
static int perf_limits_set(struct vbe_scmi_msg *m)
{
	uint32_t max = SCMI_GET(m->a2p, struct scmi_perf_limits_set_a2p, range_max);
	uint32_t min = SCMI_GET(m->a2p, struct scmi_perf_limits_set_a2p, range_min);
	int dom = vbe_scmi_lookup(m, offsetof(struct scmi_perf_limits_set_a2p, domain_id),
				  VBE_SCMI_PERM_LEVEL);
	struct vbe_scmi_perf_state *st;
	uint32_t old_max;
	uint32_t old_min;
	int rc = dom;

	if (dom < 0) {
		goto exit;
	}
	st = &m->srv->perf[dom];
	rc = -EINVAL;
	if (min > max) {
		goto exit;
	}
	rc = -ERANGE;
	if (!perf_is_level(&m->srv->cfg->perf[dom], max) ||
	    !perf_is_level(&m->srv->cfg->perf[dom], min)) {
		goto exit;
	}
	old_max = st->max[m->agent - 1U];
	old_min = st->min[m->agent - 1U];
	st->max[m->agent - 1U] = max;
	st->min[m->agent - 1U] = min;
	rc = vbe_scmi_perf_update(m->srv, (uint16_t)dom, m->agent);
	if (rc != 0) {
		/* the platform refused the level the new limits need: keep the old ones */
		st->max[m->agent - 1U] = old_max;
		st->min[m->agent - 1U] = old_min;
		(void)vbe_scmi_perf_update(m->srv, (uint16_t)dom, m->agent);
	}
exit:
	return rc;
}

static int perf_limits_get(struct vbe_scmi_msg *m)
{
	int dom = vbe_scmi_lookup(m, offsetof(struct scmi_u32, v), 0);
	int rc = dom;

	if (rc < 0) {
		goto exit;
	}
	SCMI_PUT(m->p2a, struct scmi_perf_limits_p2a, range_max,
		 m->srv->perf[dom].max[m->agent - 1U]);
	SCMI_PUT(m->p2a, struct scmi_perf_limits_p2a, range_min,
		 m->srv->perf[dom].min[m->agent - 1U]);
	m->p2a_len = sizeof(struct scmi_perf_limits_p2a);
	rc = 0;
exit:
	return rc;
}

/* 4.5.2.8: a level of the table within the agent's own limits, else OUT_OF_RANGE. */
static int perf_level_set(struct vbe_scmi_msg *m)
{
	uint32_t level = SCMI_GET(m->a2p, struct scmi_perf_level_set_a2p, level);
	int dom = vbe_scmi_lookup(m, offsetof(struct scmi_perf_level_set_a2p, domain_id),
				  VBE_SCMI_PERM_LEVEL);
	struct vbe_scmi_perf_state *st;
	uint32_t old;
	int rc = dom;

	if (dom < 0) {
		goto exit;
	}
	st = &m->srv->perf[dom];
	rc = -ERANGE;
	if (!perf_is_level(&m->srv->cfg->perf[dom], level) || level > st->max[m->agent - 1U] ||
	    level < st->min[m->agent - 1U]) {
		goto exit;
	}
	old = st->req[m->agent - 1U];
	st->req[m->agent - 1U] = level;
	rc = vbe_scmi_perf_update(m->srv, (uint16_t)dom, m->agent);
	if (rc != 0) {
		st->req[m->agent - 1U] = old;
	}
exit:
	return rc;
}

/* 4.5.2.9: the level the platform runs at (the arbitrated one). */
static int perf_level_get(struct vbe_scmi_msg *m)
{
	int dom = vbe_scmi_lookup(m, offsetof(struct scmi_u32, v), 0);

	return dom < 0 ? dom : vbe_scmi_reply_u32(m, m->srv->perf[dom].level);
}

static int perf_notify(struct vbe_scmi_msg *m, bool limits)
{
	int dom = vbe_scmi_lookup(m, offsetof(struct scmi_id_notify_a2p, id), 0);

	if (dom < 0) {
		return dom;
	}
	return vbe_scmi_subscribe(m, limits ? &m->srv->perf[dom].notify_limits
					    : &m->srv->perf[dom].notify_level);
}

static int perf_notify_limits(struct vbe_scmi_msg *m)
{
	return perf_notify(m, true);
}

static int perf_notify_level(struct vbe_scmi_msg *m)
{
	return perf_notify(m, false);
}

static const struct vbe_scmi_msg_desc perf_msgs[SCMI_MSG_COUNT] = {
	[VBE_SCMI_MSG_PROTOCOL_VERSION] = { vbe_scmi_common_version, 0, 4, SCMI_MSG_F_DISCOVERY },
	[VBE_SCMI_MSG_PROTOCOL_ATTRIBUTES] = { perf_protocol_attributes, 0,
					       sizeof(struct scmi_perf_protocol_attributes_p2a),
					       SCMI_MSG_F_DISCOVERY },
	[VBE_SCMI_MSG_PROTOCOL_MESSAGE_ATTRIBUTES] = { vbe_scmi_common_msg_attributes, 4, 4,
						       SCMI_MSG_F_DISCOVERY },
	[VBE_SCMI_PERF_DOMAIN_ATTRIBUTES] = { perf_domain_attributes, 4,
					      sizeof(struct scmi_perf_domain_attributes_p2a), 0 },
	[VBE_SCMI_PERF_DESCRIBE_LEVELS] = { perf_describe_levels,
					    sizeof(struct scmi_perf_describe_levels_a2p),
					    4 + sizeof(struct scmi_perf_level_entry), 0 },
	[VBE_SCMI_PERF_LIMITS_SET] = { perf_limits_set, sizeof(struct scmi_perf_limits_set_a2p), 0,
				       0 },
	[VBE_SCMI_PERF_LIMITS_GET] = { perf_limits_get, 4, sizeof(struct scmi_perf_limits_p2a),
				       0 },
	[VBE_SCMI_PERF_LEVEL_SET] = { perf_level_set, sizeof(struct scmi_perf_level_set_a2p), 0,
				      0 },
	[VBE_SCMI_PERF_LEVEL_GET] = { perf_level_get, 4, 4, 0 },
	[VBE_SCMI_PERF_NOTIFY_LIMITS] = { perf_notify_limits, sizeof(struct scmi_id_notify_a2p),
					  0, SCMI_MSG_F_NOTIFY },
	[VBE_SCMI_PERF_NOTIFY_LEVEL] = { perf_notify_level, sizeof(struct scmi_id_notify_a2p), 0,
					 SCMI_MSG_F_NOTIFY },
	[VBE_SCMI_PERF_DOMAIN_NAME_GET] = { vbe_scmi_common_name_get, 4,
					    sizeof(struct scmi_name_get_p2a), 0 },
	[VBE_SCMI_MSG_NEGOTIATE_PROTOCOL_VERSION] = { vbe_scmi_common_negotiate, 4, 0,
						      SCMI_MSG_F_DISCOVERY },
};

_Static_assert(SCMI_ARRAY_SIZE(perf_msgs) == SCMI_MSG_COUNT, "one entry per message id");
_Static_assert(sizeof(struct scmi_perf_domain_attributes_p2a) == 32,
	       "PERF_DOMAIN_ATTRIBUTES is 32 bytes");
_Static_assert(sizeof(struct scmi_perf_level_entry) == 20, "v4 level entries are 20 bytes");

const struct vbe_scmi_protocol vbe_scmi_perf_protocol = {
	.id = VBE_SCMI_PROTO_PERF,
	.res = VBE_SCMI_RES_PERF,
	.version = VBE_SCMI_VERSION_PERF,
	.msgs = perf_msgs,
	.msg_count = SCMI_ARRAY_SIZE(perf_msgs),
};
