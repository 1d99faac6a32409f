/* SPDX-License-Identifier: Apache-2.0 */
/*
 * vbe_sim: the simulated platform. Same ops as a real one (vbe/plat.h), plus what a test
 * needs: set a sensor's value, read what reached the bus.
 *
 * Targets: an AT24-style EEPROM (256 bytes, 16-byte pages, auto-incrementing address
 * pointer) and an LM75-style temperature sensor. All storage is static or caller-owned.
 */

#ifndef VBE_SIM_H
#define VBE_SIM_H

#include <stdbool.h>
#include <stdint.h>

#include <vbe/plat.h>

#define VBE_SIM_MAX_BUSES 2
#define VBE_SIM_MAX_TARGETS 8
#define VBE_SIM_LOG_LEN 64        /* bus log entries kept (a ring) */
#define VBE_SIM_LOG_MSGS 4        /* messages recorded per entry */
#define VBE_SIM_LOG_BYTES 16      /* data bytes recorded per message */
#define VBE_SIM_AT24_SIZE 256
#define VBE_SIM_AT24_PAGE 16

enum vbe_sim_target_kind {
	VBE_SIM_AT24 = 1,
	VBE_SIM_LM75 = 2,
};

struct vbe_sim_at24 {
	uint8_t mem[VBE_SIM_AT24_SIZE];
	uint8_t ptr; /* address pointer */
};

struct vbe_sim_lm75 {
	int32_t temp_mc; /* temperature, milli-degrees Celsius, set by the harness */
	uint8_t ptr;     /* register pointer: 0 temp, 1 config, 2 thyst, 3 tos */
	uint8_t config;
	uint16_t thyst;  /* register values as on the wire (big-endian order, 9-bit) */
	uint16_t tos;
};

struct vbe_sim_target {
	uint8_t bus;
	uint16_t addr;
	uint8_t kind; /* enum vbe_sim_target_kind */
	union {
		struct vbe_sim_at24 at24;
		struct vbe_sim_lm75 lm75;
	} u;
};

/** One message as it reached the bus (data truncated to VBE_SIM_LOG_BYTES). */
struct vbe_sim_log_msg {
	uint8_t flags; /* VBE_I2C_MSG_* */
	uint32_t len;
	uint8_t data[VBE_SIM_LOG_BYTES];
};

/** One transaction as it reached the bus. */
struct vbe_sim_log_entry {
	uint32_t seq;     /* 1, 2, 3... since vbe_sim_init */
	uint8_t bus;
	uint16_t addr;
	uint8_t num_msgs;
	int32_t result;   /* 0 or negative errno */
	struct vbe_sim_log_msg msgs[VBE_SIM_LOG_MSGS];
};

/* ---- SCMI resources (sim_scmi.c): clocks, power, perf, sensors, resets, regulators ---- */

#define VBE_SIM_MAX_CLOCKS 32
#define VBE_SIM_MAX_POWER 16
#define VBE_SIM_MAX_PERF 8
#define VBE_SIM_MAX_SENSORS 16
#define VBE_SIM_MAX_RESETS 16
#define VBE_SIM_MAX_REGULATORS 8
#define VBE_SIM_MAX_AGENTS 8       /* system power requests are kept per agent id 1..8 */
#define VBE_SIM_OPLOG_LEN 128      /* platform operations kept (a ring) */

/** A platform operation that changed the simulated hardware (reads are not logged). */
enum vbe_sim_op {
	VBE_SIM_OP_NONE = 0,
	VBE_SIM_OP_CLOCK_ON = 1,       /* id: clock */
	VBE_SIM_OP_CLOCK_OFF = 2,
	VBE_SIM_OP_CLOCK_RATE = 3,     /* value: Hz */
	VBE_SIM_OP_POWER = 4,          /* value: VBE_PLAT_POWER_ON / _OFF */
	VBE_SIM_OP_PERF = 5,           /* value: level */
	VBE_SIM_OP_RESET_ASSERT = 6,   /* id: reset line */
	VBE_SIM_OP_RESET_DEASSERT = 7,
	VBE_SIM_OP_REG_ENABLE = 8,     /* id: regulator */
	VBE_SIM_OP_REG_DISABLE = 9,
	VBE_SIM_OP_REG_VOLTAGE = 10,   /* value: µV */
	VBE_SIM_OP_SYSTEM = 11,        /* id: agent; value: VBE_PLAT_SYS_*; arg: flags */
	VBE_SIM_OP_COUNT,
};

/** One logged operation. */
struct vbe_sim_op_entry {
	uint32_t seq;   /* 1, 2, 3... since vbe_sim_init */
	uint8_t op;     /* enum vbe_sim_op */
	uint16_t id;
	int64_t value;
	uint32_t arg;
	int32_t result; /* 0 or the negative errno the operation returned */
};

struct vbe_sim_clock {
	bool on;
	uint64_t rate;
};

struct vbe_sim_regulator {
	bool on;
	int32_t uv;
};

struct vbe_sim_scmi {
	struct vbe_sim_clock clock[VBE_SIM_MAX_CLOCKS];
	uint32_t power[VBE_SIM_MAX_POWER]; /* VBE_PLAT_POWER_ON / _OFF (starts OFF) */
	uint32_t perf[VBE_SIM_MAX_PERF];   /* current level */
	int64_t sensor[VBE_SIM_MAX_SENSORS];
	bool reset[VBE_SIM_MAX_RESETS];    /* asserted */
	struct vbe_sim_regulator reg[VBE_SIM_MAX_REGULATORS];
	uint32_t sys_state[VBE_SIM_MAX_AGENTS]; /* last request per agent (POWER_UP = none) */
	uint32_t sys_requests[VBE_SIM_MAX_AGENTS];
	struct vbe_sim_op_entry log[VBE_SIM_OPLOG_LEN];
	uint32_t log_seq;
	uint8_t fail_op;  /* the next operation of this kind fails with fail_rc */
	int32_t fail_rc;
};

struct vbe_sim {
	struct vbe_sim_target targets[VBE_SIM_MAX_TARGETS];
	uint8_t target_count;
	struct vbe_sim_log_entry log[VBE_SIM_LOG_LEN];
	uint32_t log_seq; /* transactions logged since init (the newest entry's seq) */
	struct vbe_sim_scmi scmi;
	struct vbe_plat plat; /* ops + ctx, ready for the backends */
};

/** @brief Empty platform: no targets, empty log; sim->plat is ready to use. */
void vbe_sim_init(struct vbe_sim *sim);

/**
 * @brief Add a target on a bus.
 *
 * @retval 0 done.
 * @retval -ENOSPC VBE_SIM_MAX_TARGETS reached.
 * @retval -EINVAL bad kind, bus >= VBE_SIM_MAX_BUSES, an address above 0x7f (simulated
 *         targets are 7-bit), or the address is taken on that bus.
 */
int vbe_sim_add_target(struct vbe_sim *sim, uint8_t bus, uint16_t addr,
		       enum vbe_sim_target_kind kind);

/** @brief Find a target; NULL if there is none at that address. */
struct vbe_sim_target *vbe_sim_find(struct vbe_sim *sim, uint8_t bus, uint16_t addr);

/**
 * @brief Set an LM75's temperature.
 *
 * @retval 0 done. @retval -ENODEV no LM75 there.
 */
int vbe_sim_lm75_set_temp(struct vbe_sim *sim, uint8_t bus, uint16_t addr, int32_t temp_mc);

/**
 * @brief Get log entry by sequence number.
 *
 * @retval 0 copied into @p out.
 * @retval -ENOENT seq is 0, newer than log_seq, or already overwritten.
 * @retval -EINVAL NULL argument.
 */
int vbe_sim_log_get(const struct vbe_sim *sim, uint32_t seq, struct vbe_sim_log_entry *out);

/**
 * @brief Power-on state of a clock, perf domain or regulator, and a sensor's value: set
 * directly, not logged, no notification (the harness's knob; see vbe_scmi_sensor_update()).
 *
 * @retval 0 done. @retval -EINVAL id out of range.
 */
int vbe_sim_clock_preset(struct vbe_sim *sim, uint16_t clk, uint64_t rate_hz);
int vbe_sim_perf_preset(struct vbe_sim *sim, uint16_t dom, uint32_t level);
int vbe_sim_regulator_preset(struct vbe_sim *sim, uint16_t reg, int32_t uv);
int vbe_sim_sensor_set(struct vbe_sim *sim, uint16_t sensor, int64_t value);

/**
 * @brief Make the next operation of kind @p op fail with @p rc (a negative errno, e.g. -EIO
 * for a hardware fault); the failure is logged. op VBE_SIM_OP_NONE cancels.
 *
 * @retval 0 armed. @retval -EINVAL bad op or rc >= 0.
 */
int vbe_sim_fail_next(struct vbe_sim *sim, enum vbe_sim_op op, int rc);

/**
 * @brief Get operation log entry by sequence number.
 *
 * @retval 0 copied into @p out.
 * @retval -ENOENT seq is 0, newer than scmi.log_seq, or already overwritten.
 * @retval -EINVAL NULL argument.
 */
int vbe_sim_op_get(const struct vbe_sim *sim, uint32_t seq, struct vbe_sim_op_entry *out);

/* ---- a system description on the simulated platform (sim_build.c, sim_cmd.c) ---- */

struct vbe_sys_cfg;
struct vbe_sys;
struct vbe_sim_req;
struct vbe_sim_rsp;
struct vbe_sim_mailbox;

/**
 * @brief vbe_sim_init(), then the description's simulated I2C targets and the power-on
 * state of its SCMI resources: clock rates, lowest perf levels, regulator levels and sensor
 * values. What the host library and the bare-metal image both run before vbe_sys_init().
 *
 * @retval 0 done.
 * @retval -EINVAL NULL argument, a target vbe_sim_add_target() refuses, an SCMI platform id
 *         beyond VBE_SIM_MAX_*, or a perf domain without levels.
 * @retval -ENOSPC more targets than VBE_SIM_MAX_TARGETS.
 */
int vbe_sim_populate(struct vbe_sim *sim, const struct vbe_sys_cfg *cfg);

/**
 * @brief Run one command of the platform protocol (vbe/sim_cmd.h) on the simulated platform
 * @p sim built from @p cfg.
 *
 * @param sys the system running on it (its SCMI server's votes and notifications, its
 *        virtio-i2c devices), or NULL before it runs: no votes, no notifications, no I2C
 *        devices.
 * @param rsp receives the data (rsp->data_len bytes); the result is returned.
 * @return the command's result: 0 or a count, or a negative errno (-ENOENT no such
 *         resource, agent, entry or device; -ENODEV no such target; -ENOSYS unknown command;
 *         -EINVAL NULL argument).
 */
int32_t vbe_sim_cmd(struct vbe_sim *sim, const struct vbe_sys_cfg *cfg, struct vbe_sys *sys,
		    const struct vbe_sim_req *req, struct vbe_sim_rsp *rsp);

/** @brief Publish a mailbox (magic last): the harness may send commands. */
void vbe_sim_mailbox_init(struct vbe_sim_mailbox *m);

/**
 * @brief Serve a pending mailbox command: serve the windows of @p sys once more (so the
 * answer includes what the driver published before asking), run the command, answer.
 *
 * @param port runs the commands from VBE_SIM_CMD_PORT on (the port's own; NULL: none).
 * @return true when a command ran.
 */
bool vbe_sim_mailbox_poll(struct vbe_sim_mailbox *m, struct vbe_sim *sim, struct vbe_sys *sys,
			  int32_t (*port)(const struct vbe_sim_req *req, struct vbe_sim_rsp *rsp));

#endif /* VBE_SIM_H */
