/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Sensor management protocol (0x15), version 3.1 (DEN0056E 4.7). Scalar sensors (no axes,
 * no timestamps, no extended attributes). Trip points are per agent: each agent arms its
 * own, and is told (SENSOR_TRIP_POINT_EVENT) when a sample crosses one it armed.
 */

#include <errno.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <vbe/plat.h>
#include <vbe/scmi.h>
#include <vbe/shmem.h>

#include "scmi_internal.h"

#define SENSOR_ATTR_ASYNC (1U << 31) /* attributes_low */
#define SENSOR_ATTR_EXT_NAME (1U << 29)
#define SENSOR_SCALE_SHIFT 11        /* attributes_high: 15:11 scale, 7:0 unit */
#define SENSOR_TP_KNOWN (0x3U | (0xffU << VBE_SCMI_SENSOR_TP_ID_SHIFT))
#define SENSOR_CFG_ENABLE 0x1U
#define SENSOR_CFG_TIMESTAMP 0x2U
#define SENSOR_CFG_RESERVED (0x7fU << 2)

struct scmi_sensor_desc {
	uint32_t id;
	uint32_t attributes_low;
	uint32_t attributes_high;
	uint8_t name[VBE_SCMI_NAME_SIZE];
};

struct scmi_sensor_trip_config_a2p {
	uint32_t id;
	uint32_t event_control; /* 1:0 mode, 11:4 trip point id */
	uint32_t value_low;
	uint32_t value_high;
};

struct scmi_sensor_reading_get_a2p {
	uint32_t id;
	uint32_t flags;
};

struct scmi_sensor_reading {
	uint32_t value_low;
	uint32_t value_high;
	uint32_t timestamp_low;
	uint32_t timestamp_high;
};

struct scmi_sensor_config_set_a2p {
	uint32_t id;
	uint32_t config;
};

static int sensor_protocol_attributes(struct vbe_scmi_msg *m)
{
	uint32_t max_async = m->dev->p2a ? VBE_SCMI_DELAYED_MAX : 0U;

	/* num_sensors 15:0, max pending async 23:16; no shared-memory statistics */
	return vbe_scmi_reply_attributes(m, max_async << 16, 16);
}

/* Send the trip point events sample @p value causes, then remember it. */
static void sensor_crossings(struct vbe_scmi_server *srv, uint16_t s, int64_t value)
{
	struct vbe_scmi_sensor_state *st = &srv->sensor[s];

	for (uint8_t agent = 1; st->sampled && agent <= srv->cfg->agent_count; agent++) {
		if ((st->notify_trip & SCMI_AGENT_BIT(agent)) == 0U) {
			continue;
		}
		for (uint8_t t = 0; t < srv->cfg->sensors[s].trip_count; t++) {
			const struct vbe_scmi_trip *tp = &st->trip[agent - 1U][t];
			bool up = st->last < tp->value && value >= tp->value;
			bool down = st->last >= tp->value && value < tp->value;

			if ((up && (tp->mode & VBE_SCMI_SENSOR_TP_POSITIVE) != 0U) ||
			    (down && (tp->mode & VBE_SCMI_SENSOR_TP_NEGATIVE) != 0U)) {
				/* SENSOR_TRIP_POINT_EVENT (4.7.4.1): agent_id 0 (the platform),
				 * sensor_id, trip_point_desc (16: upwards, 7:0 trip point)
				 */
				uint32_t desc = t | (up ? VBE_SCMI_SENSOR_TP_ASCENDING : 0U);

				vbe_scmi_notify_res(srv, SCMI_AGENT_BIT(agent),
						    VBE_SCMI_RES_SENSOR, s,
						    VBE_SCMI_SENSOR_TRIP_POINT_EVENT,
						    VBE_SCMI_BASE_AGENT_PLATFORM, &desc, 1);
			}
		}
	}
	st->last = value;
	st->sampled = true;
}

static int sensor_sample(struct vbe_scmi_server *srv, uint16_t s, int64_t *value)
{
	int rc = vbe_plat_sensor_read(srv->plat, srv->cfg->sensors[s].plat_id, value);

	if (rc == 0) {
		sensor_crossings(srv, s, *value);
	}
	return rc;
}

int vbe_scmi_sensor_update(struct vbe_scmi_server *srv, uint16_t sensor)
{
	int64_t value;

	if (srv == NULL || srv->cfg == NULL || sensor >= srv->cfg->sensor_count) {
		return -EINVAL;
	}
	return sensor_sample(srv, sensor, &value);
}

/* 4.7.2.5: descriptors from @desc_index on, as many as fit; ids are the agent's. */
static int sensor_description_get(struct vbe_scmi_msg *m)
{
	uint32_t index = SCMI_GET(m->a2p, struct scmi_u32, v);
	uint32_t total = m->acfg->grant_count[VBE_SCMI_RES_SENSOR];
	/* the agent's whole index space is described, sensors of denied devices included */
	const struct vbe_scmi_grant *grants = m->acfg->grants[VBE_SCMI_RES_SENSOR];
	int rc = vbe_scmi_page(m, index, total, sizeof(struct scmi_sensor_desc), 0U);

	for (int i = 0; i < rc; i++) {
		uint32_t id = index + (uint32_t)i;
		const struct vbe_scmi_sensor_cfg *c = &m->srv->cfg->sensors[grants[id].res];
		uint8_t *d = m->p2a + 4U + (uint32_t)i * sizeof(struct scmi_sensor_desc);
		uint32_t ext = vbe_scmi_put_short_name(d + offsetof(struct scmi_sensor_desc, name),
						       c->name, SENSOR_ATTR_EXT_NAME);

		SCMI_PUT(d, struct scmi_sensor_desc, id, id);
		SCMI_PUT(d, struct scmi_sensor_desc, attributes_low,
			 c->trip_count | (m->dev->p2a ? SENSOR_ATTR_ASYNC : 0U) | ext);
		SCMI_PUT(d, struct scmi_sensor_desc, attributes_high,
			 c->unit | (((uint32_t)c->scale & 0x1fU) << SENSOR_SCALE_SHIFT));
	}
	return (rc < 0) ? rc : 0;
}

static int sensor_trip_point_notify(struct vbe_scmi_msg *m)
{
	int s = vbe_scmi_lookup(m, offsetof(struct scmi_id_notify_a2p, id), 0);

	return s < 0 ? s : vbe_scmi_subscribe(m, &m->srv->sensor[s].notify_trip);
}

/* 4.7.2.6: arm (or disarm, mode 0) one of the agent's trip points. */
static int sensor_trip_point_config(struct vbe_scmi_msg *m)
{
	uint32_t ctl = SCMI_GET(m->a2p, struct scmi_sensor_trip_config_a2p, event_control);
	uint32_t t = (ctl >> VBE_SCMI_SENSOR_TP_ID_SHIFT) & 0xffU;
	int s = vbe_scmi_lookup(m, offsetof(struct scmi_sensor_trip_config_a2p, id),
				VBE_SCMI_PERM_CONFIG);
	struct vbe_scmi_trip *tp;
	int64_t now;
	int rc = s;

	if (s < 0) {
		goto exit;
	}
	rc = -EINVAL;
	if ((ctl & ~SENSOR_TP_KNOWN) != 0U || t >= m->srv->cfg->sensors[s].trip_count) {
		goto exit;
	}
	rc = 0;
	if (!m->srv->sensor[s].sampled) {
		/* a crossing needs a "before": take it now */
		rc = sensor_sample(m->srv, (uint16_t)s, &now);
		if (rc != 0) {
			goto exit;
		}
	}
	tp = &m->srv->sensor[s].trip[m->agent - 1U][t];
	tp->value = (int64_t)(SCMI_GET(m->a2p, struct scmi_sensor_trip_config_a2p, value_low) |
			      ((uint64_t)SCMI_GET(m->a2p, struct scmi_sensor_trip_config_a2p,
						  value_high)
			       << 32));
	tp->mode = (uint8_t)(ctl & 0x3U);
exit:
	return rc;
}

static void sensor_put_reading(uint8_t *p, int64_t value)
{
	SCMI_PUT(p, struct scmi_sensor_reading, value_low, (uint32_t)(uint64_t)value);
	SCMI_PUT(p, struct scmi_sensor_reading, value_high, (uint32_t)((uint64_t)value >> 32));
	SCMI_PUT(p, struct scmi_sensor_reading, timestamp_low, 0U); /* no timestamps */
	SCMI_PUT(p, struct scmi_sensor_reading, timestamp_high, 0U);
}

/* 4.7.2.7: sync (one reading), or async: SENSOR_READING_COMPLETE on the eventq. */
static int sensor_reading_get(struct vbe_scmi_msg *m)
{
	uint32_t id = SCMI_GET(m->a2p, struct scmi_sensor_reading_get_a2p, id);
	uint32_t flags = SCMI_GET(m->a2p, struct scmi_sensor_reading_get_a2p, flags);
	int s = vbe_scmi_lookup(m, offsetof(struct scmi_sensor_reading_get_a2p, id), 0);
	int64_t value = 0;
	int rc = s;

	if (s < 0) {
		goto exit;
	}
	rc = -EINVAL;
	if ((flags & ~VBE_SCMI_SENSOR_READ_ASYNC) != 0U) {
		goto exit;
	}
	if (flags != 0U) {
		rc = vbe_scmi_async_check(m);
		if (rc != 0) {
			goto exit;
		}
	}
	rc = sensor_sample(m->srv, (uint16_t)s, &value);
	if (rc != 0) {
		goto exit;
	}
	if (flags != 0U) {
		/* SENSOR_READING_COMPLETE (4.7.3.1): sensor_id, then the reading (no timestamp) */
		uint32_t done[5] = { id, (uint32_t)(uint64_t)value,
				     (uint32_t)((uint64_t)value >> 32), 0U, 0U };

		vbe_scmi_delayed(m, done, 5);
	} else {
		sensor_put_reading(m->p2a, value);
		m->p2a_len = sizeof(struct scmi_sensor_reading);
	}
exit:
	return rc;
}

static int sensor_config_get(struct vbe_scmi_msg *m)
{
	int s = vbe_scmi_lookup(m, offsetof(struct scmi_u32, v), 0);

	return s < 0 ? s : vbe_scmi_reply_u32(m, m->srv->sensor[s].config);
}

/* 4.7.2.10: 31:11 update interval, 10:9 rounding, 8:2 reserved, 1 timestamps, 0 enable. */
static int sensor_config_set(struct vbe_scmi_msg *m)
{
	uint32_t cfg = SCMI_GET(m->a2p, struct scmi_sensor_config_set_a2p, config);
	int s = vbe_scmi_lookup(m, offsetof(struct scmi_sensor_config_set_a2p, id),
				VBE_SCMI_PERM_CONFIG);
	int rc = s;

	if (rc < 0) {
		goto exit;
	}
	rc = -EINVAL;
	if ((cfg & SENSOR_CFG_RESERVED) != 0U) {
		goto exit;
	}
	rc = -ENOTSUP;
	if ((cfg & SENSOR_CFG_TIMESTAMP) != 0U) {
		goto exit; /* the sensors here keep no timestamps */
	}
	m->srv->sensor[s].config = cfg;
	rc = 0;
exit:
	return rc;
}

static const struct vbe_scmi_msg_desc sensor_msgs[SCMI_MSG_COUNT] = {
	[VBE_SCMI_MSG_PROTOCOL_VERSION] = { vbe_scmi_common_version, 0, 4, SCMI_MSG_F_DISCOVERY },
	[VBE_SCMI_MSG_PROTOCOL_ATTRIBUTES] = { sensor_protocol_attributes, 0, 16,
					       SCMI_MSG_F_DISCOVERY },
	[VBE_SCMI_MSG_PROTOCOL_MESSAGE_ATTRIBUTES] = { vbe_scmi_common_msg_attributes, 4, 4,
						       SCMI_MSG_F_DISCOVERY },
	[VBE_SCMI_SENSOR_DESCRIPTION_GET] = { sensor_description_get, 4,
					      4 + sizeof(struct scmi_sensor_desc), 0 },
	[VBE_SCMI_SENSOR_TRIP_POINT_NOTIFY] = { sensor_trip_point_notify,
						sizeof(struct scmi_id_notify_a2p), 0,
						SCMI_MSG_F_NOTIFY },
	[VBE_SCMI_SENSOR_TRIP_POINT_CONFIG] = { sensor_trip_point_config,
						sizeof(struct scmi_sensor_trip_config_a2p), 0, 0 },
	[VBE_SCMI_SENSOR_READING_GET] = { sensor_reading_get,
					  sizeof(struct scmi_sensor_reading_get_a2p),
					  sizeof(struct scmi_sensor_reading), 0 },
	[VBE_SCMI_SENSOR_CONFIG_GET] = { sensor_config_get, 4, 4, 0 },
	[VBE_SCMI_SENSOR_CONFIG_SET] = { sensor_config_set,
					 sizeof(struct scmi_sensor_config_set_a2p), 0, 0 },
	[VBE_SCMI_SENSOR_NAME_GET] = { vbe_scmi_common_name_get, 4,
				       sizeof(struct scmi_name_get_p2a), 0 },
	[VBE_SCMI_MSG_NEGOTIATE_PROTOCOL_VERSION] = { vbe_scmi_common_negotiate, 4, 0,
						      SCMI_MSG_F_DISCOVERY },
};

_Static_assert(SCMI_ARRAY_SIZE(sensor_msgs) == SCMI_MSG_COUNT, "one entry per message id");
_Static_assert(sizeof(struct scmi_sensor_desc) == 28, "sensor descriptors are 28 bytes");
_Static_assert(sizeof(struct scmi_sensor_trip_config_a2p) == SCMI_A2P_MAX,
	       "the largest request sizes the request buffer");
_Static_assert(4 + sizeof(struct scmi_sensor_reading) <= SCMI_DRESP_MAX - 4,
	       "SENSOR_READING_COMPLETE fits an event");

const struct vbe_scmi_protocol vbe_scmi_sensor_protocol = {
	.id = VBE_SCMI_PROTO_SENSOR,
	.res = VBE_SCMI_RES_SENSOR,
	.version = VBE_SCMI_VERSION_SENSOR,
	.msgs = sensor_msgs,
	.msg_count = SCMI_ARRAY_SIZE(sensor_msgs),
};
