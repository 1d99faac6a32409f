/* SPDX-License-Identifier: Apache-2.0 */
/*
 * vbe_scmi internals: the message context handlers see, the per-protocol message tables,
 * wire layouts (as structs of 32-bit fields, for sizes and offsets only: payloads are read
 * and written byte-wise, little-endian) and the helpers shared by the protocol files.
 */

#ifndef VBE_SCMI_SRC_SCMI_INTERNAL_H
#define VBE_SCMI_SRC_SCMI_INTERNAL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <vbe/scmi.h>
#include <vbe/shmem.h>

#define SCMI_ARRAY_SIZE(a) (sizeof(a) / sizeof((a)[0]))

/* Return values after the status word: VBE_SCMI_PAYLOAD_MAX minus the status. */
#define SCMI_P2A_MAX (VBE_SCMI_PAYLOAD_MAX - 4)
/* Largest request payload any message takes (SENSOR_TRIP_POINT_CONFIG, 16 bytes). */
#define SCMI_A2P_MAX 16
/* Message ids 0x0..0x10: every table has room for NEGOTIATE_PROTOCOL_VERSION. */
#define SCMI_MSG_COUNT 0x11
/* Delayed response payload: status + up to 20 bytes of returns. */
#define SCMI_DRESP_MAX (VBE_SCMI_EVENT_SIZE - 4)

/* vbe_scmi_msg_desc.flags: checked by the validator before the handler runs. */
#define SCMI_MSG_F_DISCOVERY 0x1  /* always allowed, even for a protocol the agent lacks */
#define SCMI_MSG_F_PRIVILEGED 0x2 /* only a privileged agent (else DENIED) */
#define SCMI_MSG_F_NOTIFY 0x4     /* needs an eventq (else NOT_SUPPORTED) */

/** One message being handled. */
struct vbe_scmi_msg {
	struct vbe_scmi_server *srv;
	struct vbe_scmi_dev *dev; /* the calling agent's device */
	const struct vbe_scmi_protocol *proto;
	uint8_t agent;            /* the caller's agent id */
	const struct vbe_scmi_agent_cfg *acfg; /* the caller's configuration (never NULL) */
	uint32_t hdr;             /* command header, echoed in the response */
	const uint8_t *a2p;       /* parameters: exactly the table's a2p_size bytes */
	uint8_t *p2a;             /* return values (after the status word) */
	uint32_t p2a_max;         /* room for return values: buffer and transport limit */
	uint32_t p2a_len;         /* set by the handler on success */
	/* a delayed response to send after the response (type 2, same header otherwise) */
	uint8_t dresp[SCMI_DRESP_MAX];
	uint8_t dresp_len;        /* 0: none */
};

/** A handler: 0 or a negative errno; the dispatcher maps it to the wire status once. */
typedef int (*vbe_scmi_handler_fn)(struct vbe_scmi_msg *m);

/** One message of a protocol: its handler, exact request size, minimum reply room. */
struct vbe_scmi_msg_desc {
	vbe_scmi_handler_fn handler;
	uint8_t a2p_size;
	uint8_t p2a_min;
	uint8_t flags; /* SCMI_MSG_F_* */
};

/** A protocol: id, version, its message table and the resource kind it serves. */
struct vbe_scmi_protocol {
	uint8_t id;
	int8_t res;      /* enum vbe_scmi_res, or -1 (base, system power) */
	uint32_t version;
	const struct vbe_scmi_msg_desc *msgs;
	uint8_t msg_count;
};

extern const struct vbe_scmi_protocol vbe_scmi_base_protocol;
extern const struct vbe_scmi_protocol vbe_scmi_power_protocol;
extern const struct vbe_scmi_protocol vbe_scmi_system_protocol;
extern const struct vbe_scmi_protocol vbe_scmi_perf_protocol;
extern const struct vbe_scmi_protocol vbe_scmi_clock_protocol;
extern const struct vbe_scmi_protocol vbe_scmi_sensor_protocol;
extern const struct vbe_scmi_protocol vbe_scmi_reset_protocol;
extern const struct vbe_scmi_protocol vbe_scmi_voltage_protocol;

/* ---- wire layouts shared by several protocols (4.1.3) ---- */

struct scmi_u32 {
	uint32_t v;
};

struct scmi_msg_attrs_p2a {
	uint32_t attributes;
};

struct scmi_id_notify_a2p {
	uint32_t id;
	uint32_t notify_enable; /* bit 0 */
};

struct scmi_name_get_p2a {
	uint32_t flags;
	uint8_t name[VBE_SCMI_EXT_NAME_SIZE];
};

/*
 * vbe_get_le32()/vbe_put_le32() (vbe/shmem.h), out of line once for every SCMI file: at -Os
 * the compiler otherwise keeps a static copy of each in every file that uses them often.
 */
uint32_t vbe_scmi_get_le32(const uint8_t *b);
void vbe_scmi_put_le32(uint8_t *b, uint32_t v);

/* Byte-wise accessors for a field of a wire struct. */
#define SCMI_GET(buf, type, field) vbe_scmi_get_le32((buf) + offsetof(type, field))
#define SCMI_PUT(buf, type, field, v) vbe_scmi_put_le32((buf) + offsetof(type, field), (v))

/* ---- scmi_msg.c: dispatch ---- */

/**
 * Validate and handle one command. @p req / @p req_len: the request as read (header
 * first); @p rsp receives header, status and return values, room @p rsp_room bytes (>= 8).
 * Returns the response length; @p m->dresp_len says whether a delayed response follows.
 */
uint32_t vbe_scmi_dispatch(struct vbe_scmi_msg *m, const uint8_t *req, uint32_t req_len,
			   uint8_t *rsp, uint32_t rsp_room);

/** The protocol with @p id, or NULL. */
const struct vbe_scmi_protocol *vbe_scmi_protocol_find(uint8_t id);

/** May the agent configured by @p cfg use protocol @p proto at all (a grant, or base)? */
bool vbe_scmi_agent_has_protocol(const struct vbe_scmi_agent_cfg *cfg,
				 const struct vbe_scmi_protocol *proto);

/* ---- scmi_common.c: messages every protocol has, and reply helpers ---- */

/** Reply with one word of return values; returns 0. */
int vbe_scmi_reply_u32(struct vbe_scmi_msg *m, uint32_t v);

/**
 * PROTOCOL_ATTRIBUTES of a resource protocol: the caller's number of resources of the
 * protocol's kind (15:0) | @p high, then zeros (no statistics area) up to @p len bytes.
 */
int vbe_scmi_reply_attributes(struct vbe_scmi_msg *m, uint32_t high, uint32_t len);

int vbe_scmi_common_version(struct vbe_scmi_msg *m);
int vbe_scmi_common_msg_attributes(struct vbe_scmi_msg *m);
int vbe_scmi_common_negotiate(struct vbe_scmi_msg *m);
/** *_NAME_GET of the protocol's resource kind (m->proto->res): one handler for every kind. */
int vbe_scmi_common_name_get(struct vbe_scmi_msg *m);

/**
 * Start one page of a paginated list (CLOCK_DESCRIBE_RATES, PERF_DESCRIBE_LEVELS,
 * SENSOR_DESCRIPTION_GET, VOLTAGE_DESCRIBE_LEVELS): entries @p index.. of @p total, as many
 * of @p size bytes as the room after the count word holds. Writes the count word (11:0
 * returned, 31:16 remaining, | @p flags) and p2a_len. Returns the number of entries the
 * caller writes from m->p2a + 4, or -EINVAL when @p index is past the last entry.
 */
int vbe_scmi_page(struct vbe_scmi_msg *m, uint32_t index, uint32_t total, uint32_t size,
		  uint32_t flags);

/** Copy @p name into a NUL-padded field of @p size bytes (always NUL-terminated). */
void vbe_scmi_put_name(uint8_t *field, size_t size, const char *name);

/**
 * The 16-byte name field of a *_ATTRIBUTES reply or descriptor: @p name, cut to 15
 * characters. Returns @p ext_flag when it was cut (the agent then asks *_NAME_GET), else 0.
 */
uint32_t vbe_scmi_put_short_name(uint8_t *field, const char *name, uint32_t ext_flag);


/** Record the delayed response: status SUCCESS, then @p count words of @p returns. */
void vbe_scmi_delayed(struct vbe_scmi_msg *m, const uint32_t *returns, uint8_t count);

/**
 * A {id, notify_enable} subscription (struct scmi_id_notify_a2p): set or clear the caller's
 * bit in the subscriber @p mask; -EINVAL for reserved enable bits.
 */
int vbe_scmi_subscribe(const struct vbe_scmi_msg *m, uint32_t *mask);

/** May the caller issue an async command now? -ENOTSUP without eventq, -EBUSY when full. */
int vbe_scmi_async_check(const struct vbe_scmi_msg *m);

/* ---- scmi_access.c: an agent's view ---- */

/**
 * Resolve the agent-local id at byte @p id_at of the parameters, a resource of the message's
 * protocol (m->proto->res), for the caller with permission @p perm (0 = read only). Returns
 * the platform index, -ENOENT (not granted), or -EACCES (permission missing, or its device
 * or protocol denied to the agent).
 */
int vbe_scmi_lookup(const struct vbe_scmi_msg *m, size_t id_at, uint8_t perm);

/** The configuration of agent @p agent, NULL if there is no such agent. */
const struct vbe_scmi_agent_cfg *vbe_scmi_agent_cfg(const struct vbe_scmi_server *srv,
						    uint8_t agent);

/** Number of platform resources of @p kind in @p cfg (0 for an unknown kind). */
uint8_t vbe_scmi_res_count(const struct vbe_scmi_platform_cfg *cfg, enum vbe_scmi_res kind);

/** Name of platform resource @p res of @p kind, NULL if there is no such resource. */
const char *vbe_scmi_res_name(const struct vbe_scmi_platform_cfg *cfg, enum vbe_scmi_res kind,
			      uint16_t res);

/** Device of platform resource @p res of @p kind (VBE_SCMI_NO_DEVICE if none). */
uint8_t vbe_scmi_res_device(const struct vbe_scmi_platform_cfg *cfg, enum vbe_scmi_res kind,
			    uint16_t res);

/** May @p agent currently use @p res (device and protocol permissions)? */
bool vbe_scmi_res_allowed(const struct vbe_scmi_server *srv, uint8_t agent,
			  enum vbe_scmi_res kind, uint16_t res);

/* Protocol id of a resource kind. */
uint8_t vbe_scmi_res_protocol(enum vbe_scmi_res kind);

#define SCMI_AGENT_BIT(agent) (1U << ((agent) - 1U))

/* ---- scmi_notify.c: events ---- */

/**
 * Send a notification about platform resource @p res of @p kind to every agent in @p mask
 * that may see it: agent_id @p agent_id, the resource's id in the receiver's own numbering,
 * then @p count words of @p values. Dropped for an agent with no eventq buffer posted.
 */
void vbe_scmi_notify_res(struct vbe_scmi_server *srv, uint32_t mask, enum vbe_scmi_res kind,
			 uint16_t res, uint8_t msg_id, uint32_t agent_id, const uint32_t *values,
			 uint8_t count);

/** Words of payload a notification can carry after its header. */
#define SCMI_NOTIFY_WORDS_MAX ((VBE_SCMI_EVENT_SIZE - 4U) / 4U)

/**
 * Send a notification to one agent (protocol @p proto, id @p msg_id): its payload is
 * @p count words of @p words. 0, -EAGAIN (no device, no eventq buffer) or -EINVAL.
 */
int vbe_scmi_notify_agent(struct vbe_scmi_server *srv, uint8_t agent, uint8_t proto,
			  uint8_t msg_id, const uint32_t *words, uint8_t count);

/** Queue (or send) an event message for a device: delayed responses are held. */
int vbe_scmi_dev_event(struct vbe_scmi_dev *dev, const uint8_t *msg, uint8_t len, bool hold);

/** Send held delayed responses while eventq buffers are available. */
int vbe_scmi_dev_flush(struct vbe_scmi_dev *dev);

/** Header of a message. */
static inline uint32_t vbe_scmi_hdr(uint8_t msg_id, uint8_t type, uint8_t proto, uint16_t token)
{
	return ((uint32_t)msg_id << VBE_SCMI_HDR_ID_SHIFT) |
	       ((uint32_t)(type & VBE_SCMI_HDR_TYPE_MASK) << VBE_SCMI_HDR_TYPE_SHIFT) |
	       ((uint32_t)proto << VBE_SCMI_HDR_PROTO_SHIFT) |
	       ((uint32_t)(token & VBE_SCMI_HDR_TOKEN_MASK) << VBE_SCMI_HDR_TOKEN_SHIFT);
}

/* ---- scmi_arb.c: arbitration between agents (first on / last off, max level...) ---- */

int vbe_scmi_clock_vote(struct vbe_scmi_server *srv, uint16_t clk, uint8_t agent, bool on);
int vbe_scmi_power_vote(struct vbe_scmi_server *srv, uint16_t pd, uint8_t agent, bool on);
int vbe_scmi_reset_vote(struct vbe_scmi_server *srv, uint16_t line, uint8_t agent, bool hold);
int vbe_scmi_voltage_vote(struct vbe_scmi_server *srv, uint16_t reg, uint8_t agent, bool on);
/** Recompute a perf domain's limits and level from every agent's; apply and notify. */
int vbe_scmi_perf_update(struct vbe_scmi_server *srv, uint16_t dom, uint8_t cause);
/** Restore a perf domain's per-agent limits and request to the defaults. */
void vbe_scmi_perf_agent_defaults(struct vbe_scmi_server *srv, uint16_t dom, uint8_t agent);

/* ---- scmi_server.c ---- */

/** Every device (-1), or only the resources of one device. */
#define SCMI_ALL_DEVICES (-1)
/** All resource kinds, for vbe_scmi_release(). */
#define SCMI_ALL_KINDS ((1U << VBE_SCMI_RES_COUNT) - 1U)

/**
 * Release what @p agent holds (votes, levels, resets, trip points, subscriptions) on the
 * resources of the kinds in @p kinds (bit per enum vbe_scmi_res) that belong to @p device.
 */
void vbe_scmi_release(struct vbe_scmi_server *srv, uint8_t agent, int device, uint32_t kinds);

#endif /* VBE_SCMI_SRC_SCMI_INTERNAL_H */
