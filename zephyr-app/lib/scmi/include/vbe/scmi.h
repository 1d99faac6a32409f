/* SPDX-License-Identifier: Apache-2.0 */
/*
 * vbe_scmi: an SCMI server (the "platform" of DEN0056E) behind one virtio-scmi device per
 * guest. Each device is one SCMI agent; the server mediates between them.
 *
 * Configuration is const data generated from the system description (see
 * struct vbe_scmi_platform_cfg): the platform's resources, its devices (for
 * SET_DEVICE_PERMISSIONS) and per agent the resources it was granted. An agent sees only its
 * grants, numbered 0..n-1 in its own index space, each with per-operation permissions.
 * Runtime state lives in caller-owned storage (struct vbe_scmi_server, struct vbe_scmi_dev).
 * See docs/scmi.md.
 */

#ifndef VBE_SCMI_H
#define VBE_SCMI_H

#include <stdbool.h>
#include <stdint.h>

#include <vbe/dev.h>
#include <vbe/plat.h>
#include <vbe/scmi_wire.h>
#include <vbe/vq.h>

/* Sizes of the static state; a configuration beyond them is refused at init. */
#define VBE_SCMI_MAX_AGENTS 8       /* agent ids 1..8; 0 is the platform */
#define VBE_SCMI_MAX_DEVICES 16
#define VBE_SCMI_MAX_CLOCKS 32
#define VBE_SCMI_MAX_POWER 16
#define VBE_SCMI_MAX_PERF 8
#define VBE_SCMI_MAX_SENSORS 16
#define VBE_SCMI_MAX_RESETS 16
#define VBE_SCMI_MAX_VOLTAGE 8
#define VBE_SCMI_MAX_TRIPS 4        /* trip points per sensor */
#define VBE_SCMI_MAX_LEVELS 32      /* perf levels / voltage levels / clock rates per resource */
#define VBE_SCMI_DELAYED_MAX 8      /* delayed responses held per agent until an eventq buffer */
#define VBE_SCMI_EVENT_SIZE 32      /* largest event: header, status, 24 bytes of returns */
#define VBE_SCMI_QUEUE_SIZE_MAX 64  /* cmdq and eventq */

/** The kinds of platform resource an agent can be granted. */
enum vbe_scmi_res {
	VBE_SCMI_RES_CLOCK = 0,
	VBE_SCMI_RES_POWER = 1,
	VBE_SCMI_RES_PERF = 2,
	VBE_SCMI_RES_SENSOR = 3,
	VBE_SCMI_RES_RESET = 4,
	VBE_SCMI_RES_VOLTAGE = 5,
	VBE_SCMI_RES_COUNT,
};

/* Per-operation permissions of a grant. Discovery and reading are implied by the grant. */
#define VBE_SCMI_PERM_STATE 0x1  /* clock on/off, power state, reset, regulator on/off */
#define VBE_SCMI_PERM_LEVEL 0x2  /* clock rate, perf level and limits, voltage level */
#define VBE_SCMI_PERM_CONFIG 0x4 /* sensor configuration and trip points */
#define VBE_SCMI_PERM_ALL 0x7

/* vbe_scmi_agent_cfg.flags */
#define VBE_SCMI_AGENT_PRIVILEGED 0x1   /* may change permissions and reset other agents */
#define VBE_SCMI_AGENT_SYSTEM_POWER 0x2 /* may use system power (scoped to its own guest) */

/* Resource flags */
#define VBE_SCMI_RES_F_RANGE 0x1 /* rates / levels are {min, max, step}, not a list */

/** A resource that belongs to no device (SET_DEVICE_PERMISSIONS cannot touch it). */
#define VBE_SCMI_NO_DEVICE 0xff

/** A clock. @p rates: ascending list, or {min, max, step} with VBE_SCMI_RES_F_RANGE. */
struct vbe_scmi_clock_cfg {
	const char *name;
	uint16_t plat_id; /* id for the platform ops */
	uint8_t device;   /* index in vbe_scmi_platform_cfg.devices, or VBE_SCMI_NO_DEVICE */
	uint8_t flags;    /* VBE_SCMI_RES_F_* */
	const uint64_t *rates;
	uint8_t rate_count;
	uint32_t enable_latency_us;
	uint64_t initial_rate; /* the simulated platform's rate at power-on */
};

/** A power domain (states ON and OFF). */
struct vbe_scmi_power_cfg {
	const char *name;
	uint16_t plat_id;
	uint8_t device;
};

/** One operating point of a performance domain. */
struct vbe_scmi_perf_level {
	uint32_t level;    /* abstract performance level */
	uint32_t power_mw; /* power cost */
	uint32_t freq_khz; /* indicative frequency */
	uint16_t latency_us;
};

/** A performance domain; @p levels ascending. */
struct vbe_scmi_perf_cfg {
	const char *name;
	uint16_t plat_id;
	uint8_t device;
	uint8_t sustained; /* index of the sustained level */
	const struct vbe_scmi_perf_level *levels;
	uint8_t level_count;
	uint32_t rate_limit_us;
};

/** A sensor: a scalar value in @p unit × 10^@p scale, read through the platform. */
struct vbe_scmi_sensor_cfg {
	const char *name;
	uint16_t plat_id;
	uint8_t device;
	uint8_t unit;       /* VBE_SCMI_SENSOR_UNIT_* */
	int8_t scale;       /* power-of-ten exponent, -16..15 */
	uint8_t trip_count; /* trip points per agent, <= VBE_SCMI_MAX_TRIPS */
	int64_t initial;    /* the simulated platform's value at power-on */
};

/** A reset domain (one reset line). */
struct vbe_scmi_reset_cfg {
	const char *name;
	uint16_t plat_id;
	uint8_t device;
	uint32_t latency_us;
};

/** A voltage domain (regulator). @p levels (µV): ascending list, or {min, max, step}. */
struct vbe_scmi_voltage_cfg {
	const char *name;
	uint16_t plat_id;
	uint8_t device;
	uint8_t flags; /* VBE_SCMI_RES_F_* */
	const int32_t *levels;
	uint8_t level_count;
	int32_t initial_uv; /* the simulated platform's level at power-on */
};

/** One resource granted to an agent: the platform resource index and what the agent may do. */
struct vbe_scmi_grant {
	uint16_t res;  /* index in the platform's table of that kind */
	uint8_t perms; /* VBE_SCMI_PERM_* */
};

/**
 * An agent (one guest's virtio-scmi device). Its id on the wire is its index in
 * vbe_scmi_platform_cfg.agents + 1. grants[kind][i] is the agent's resource i of that kind;
 * an empty table means the agent does not see the protocol.
 */
struct vbe_scmi_agent_cfg {
	const char *name;
	uint8_t flags; /* VBE_SCMI_AGENT_* */
	const struct vbe_scmi_grant *grants[VBE_SCMI_RES_COUNT];
	uint8_t grant_count[VBE_SCMI_RES_COUNT];
};

/** The platform: identity, resources, devices and agents. Generated, const. */
struct vbe_scmi_platform_cfg {
	const char *vendor;     /* DISCOVER_VENDOR, up to 15 characters */
	const char *sub_vendor; /* DISCOVER_SUB_VENDOR */
	uint32_t impl_version;  /* DISCOVER_IMPLEMENTATION_VERSION */
	const char *const *devices; /* device names; device id = index */
	uint8_t device_count;
	const struct vbe_scmi_clock_cfg *clocks;
	uint8_t clock_count;
	const struct vbe_scmi_power_cfg *power;
	uint8_t power_count;
	const struct vbe_scmi_perf_cfg *perf;
	uint8_t perf_count;
	const struct vbe_scmi_sensor_cfg *sensors;
	uint8_t sensor_count;
	const struct vbe_scmi_reset_cfg *resets;
	uint8_t reset_count;
	const struct vbe_scmi_voltage_cfg *voltages;
	uint8_t voltage_count;
	const struct vbe_scmi_agent_cfg *agents;
	uint8_t agent_count;
};

/* ---- runtime state: shared arbitration state in the server, one device per agent ---- */

/* Masks below have bit (agent id - 1) per agent. */
struct vbe_scmi_clock_state {
	uint32_t votes;       /* agents that enabled the clock */
	uint32_t notify_rate; /* CLOCK_RATE_NOTIFY subscribers */
	uint32_t notify_req;  /* CLOCK_RATE_CHANGE_REQUESTED_NOTIFY subscribers */
	bool on;              /* what the platform was last told */
};

struct vbe_scmi_power_state {
	uint32_t votes;  /* agents that want the domain on */
	uint32_t notify; /* POWER_STATE_NOTIFY subscribers */
	uint32_t state;  /* platform state: VBE_SCMI_POWER_ON / _OFF */
};

struct vbe_scmi_perf_state {
	uint32_t req[VBE_SCMI_MAX_AGENTS]; /* level each agent asked for, 0 = none */
	uint32_t max[VBE_SCMI_MAX_AGENTS]; /* each agent's limits */
	uint32_t min[VBE_SCMI_MAX_AGENTS];
	uint32_t level;     /* the level the platform runs at */
	uint32_t eff_max;   /* the limits in force: the intersection of every agent's */
	uint32_t eff_min;
	uint32_t notify_level;
	uint32_t notify_limits;
};

struct vbe_scmi_trip {
	int64_t value;
	uint8_t mode; /* VBE_SCMI_SENSOR_TP_* */
};

struct vbe_scmi_sensor_state {
	int64_t last;        /* last value sampled, for trip point crossings */
	uint32_t config;     /* SENSOR_CONFIG_SET value */
	uint32_t notify_trip;
	bool sampled;
	struct vbe_scmi_trip trip[VBE_SCMI_MAX_AGENTS][VBE_SCMI_MAX_TRIPS];
};

struct vbe_scmi_reset_state {
	uint32_t holders; /* agents holding the line asserted */
	uint32_t notify;
};

struct vbe_scmi_voltage_state {
	uint32_t votes; /* agents that switched the regulator on */
	int32_t level_uv;
	bool on;
};

struct vbe_scmi_dev;

/** What the server keeps per agent; reset by RESET_AGENT_CONFIGURATION and device reset. */
struct vbe_scmi_agent_state {
	struct vbe_scmi_dev *dev; /* its virtio device, NULL until bound */
	uint32_t dev_denied;      /* SET_DEVICE_PERMISSIONS: bit per denied device */
	uint16_t proto_denied[VBE_SCMI_MAX_DEVICES]; /* bit (protocol id - 0x10) per device */
	uint32_t sys_state;       /* last system power state it asked for */
	bool notify_errors;
	bool notify_system;
};

/** The server: one per platform, shared by every agent's device. */
struct vbe_scmi_server {
	const struct vbe_scmi_platform_cfg *cfg;
	const struct vbe_plat *plat;
	struct vbe_scmi_agent_state agent[VBE_SCMI_MAX_AGENTS]; /* [agent id - 1] */
	struct vbe_scmi_clock_state clock[VBE_SCMI_MAX_CLOCKS];
	struct vbe_scmi_power_state power[VBE_SCMI_MAX_POWER];
	struct vbe_scmi_perf_state perf[VBE_SCMI_MAX_PERF];
	struct vbe_scmi_sensor_state sensor[VBE_SCMI_MAX_SENSORS];
	struct vbe_scmi_reset_state reset[VBE_SCMI_MAX_RESETS];
	struct vbe_scmi_voltage_state voltage[VBE_SCMI_MAX_VOLTAGE];
};

/** Per-agent counters (struct vbe_scmi_dev.stats), kept across resets. */
enum vbe_scmi_stat {
	VBE_SCMI_STAT_COMMANDS = 0,        /* commands answered */
	VBE_SCMI_STAT_ERRORS = 1,          /* ... of which with a status other than SUCCESS */
	VBE_SCMI_STAT_MALFORMED = 2,       /* chains without a header or room for a status */
	VBE_SCMI_STAT_NOTIFY_SENT = 3,     /* notifications put on the eventq */
	VBE_SCMI_STAT_NOTIFY_DROPPED = 4,  /* notifications lost: no eventq buffer posted */
	VBE_SCMI_STAT_DELAYED_SENT = 5,    /* delayed responses put on the eventq */
	VBE_SCMI_STAT_DELAYED_BUSY = 6,    /* async commands refused BUSY: delayed queue full */
	VBE_SCMI_STAT_EVENT_SHORT = 7,     /* eventq buffers too small: event truncated */
	VBE_SCMI_STAT_COUNT,
};

/** An event (delayed response) waiting for an eventq buffer. */
struct vbe_scmi_event {
	uint8_t len;
	uint8_t msg[VBE_SCMI_EVENT_SIZE];
};

/** One virtio-scmi device = one agent. */
struct vbe_scmi_dev {
	struct vbe_scmi_server *srv;
	uint8_t agent; /* agent id, 1.. */
	bool p2a;      /* VIRTIO_SCMI_F_P2A_CHANNELS negotiated: there is an eventq */
	struct vbe_vq *cmdq;
	struct vbe_vq *evq; /* NULL without P2A (or once the eventq broke) */
	/* delayed responses waiting for an eventq buffer, oldest first */
	struct vbe_scmi_event delayed[VBE_SCMI_DELAYED_MAX];
	uint8_t delayed_head;
	uint8_t delayed_count;
	uint32_t stats[VBE_SCMI_STAT_COUNT];
};

/** Transport ops for a virtio-scmi device (id 32); use with vbe_fvq_add_device(). */
extern const struct vbe_dev_ops vbe_scmi_dev_ops;

/**
 * @brief Check a platform configuration and set the server up (nothing reaches the platform).
 *
 * @retval 0 done.
 * @retval -EINVAL NULL argument, a table larger than its VBE_SCMI_MAX_*, a NULL table with a
 *         non-zero count, a resource without a name or with a device out of range, an empty or
 *         unsorted rate/level table, a grant naming a resource that does not exist, more trip
 *         points than supported.
 */
int vbe_scmi_server_init(struct vbe_scmi_server *srv, const struct vbe_scmi_platform_cfg *cfg,
			 const struct vbe_plat *plat);

/**
 * @brief Bind a device to agent @p agent (1..agent_count) of a server.
 *
 * @retval 0 done.
 * @retval -EINVAL NULL argument or no such agent.
 * @retval -EBUSY the agent already has a device.
 */
int vbe_scmi_dev_init(struct vbe_scmi_dev *dev, struct vbe_scmi_server *srv, uint8_t agent);

/**
 * @brief Release everything an agent holds (votes, levels, resets, trip points, subscriptions,
 * pending delayed responses), as RESET_AGENT_CONFIGURATION does. Platform changes this
 * causes notify the other agents.
 *
 * @param perms also restore the agent's device and protocol permissions.
 * @retval 0 done. @retval -EINVAL no such agent.
 */
int vbe_scmi_agent_reset(struct vbe_scmi_server *srv, uint8_t agent, bool perms);

/**
 * @brief Sample sensor @p sensor (platform index) and send a SENSOR_TRIP_POINT_EVENT to every
 * agent whose armed trip point the value crossed since the last sample. Call from the
 * context that runs the devices (the service loop).
 *
 * @retval 0 done. @retval -EINVAL no such sensor. @retval -errno the platform read failed.
 */
int vbe_scmi_sensor_update(struct vbe_scmi_server *srv, uint16_t sensor);

/**
 * @brief The platform asks agent @p agent to change its system power state
 * (SYSTEM_POWER_STATE_NOTIFIER), if it subscribed.
 *
 * @retval 0 sent. @retval -EINVAL no such agent. @retval -EAGAIN not subscribed, no eventq or
 *         no eventq buffer (dropped).
 */
int vbe_scmi_system_notify(struct vbe_scmi_server *srv, uint8_t agent, uint32_t flags,
			   uint32_t state, uint32_t timeout_ms);

/**
 * @brief The one mapping from internal errno to wire status.
 *
 * 0 SUCCESS; -ENOTSUP/-ENOSYS NOT_SUPPORTED; -EINVAL INVALID_PARAMETERS; -EACCES/-EPERM
 * DENIED; -ENOENT/-ENODEV NOT_FOUND; -ERANGE OUT_OF_RANGE; -EBUSY/-EAGAIN BUSY; -EPROTO
 * PROTOCOL_ERROR; -EIO HARDWARE_ERROR; -EADDRINUSE IN_USE; anything else GENERIC_ERROR.
 */
enum vbe_scmi_status vbe_scmi_status_from_errno(int err);

/** @brief Name of a wire status ("SUCCESS", "NOT_FOUND"...), "?" for an unknown one. */
const char *vbe_scmi_status_str(int32_t status);

/** @brief Agent-local id of platform resource @p res of @p kind, or -ENOENT if not granted. */
int vbe_scmi_local_id(const struct vbe_scmi_server *srv, uint8_t agent, enum vbe_scmi_res kind,
		      uint16_t res);

#endif /* VBE_SCMI_H */
