/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The platform protocol: the one way a harness reads and sets the state of the simulated
 * platform behind a running system (vbe_sim_cmd(), vbe/sim.h). One request in, one response
 * out. In process the host library passes them through one call (vbe_host_sim_cmd()); a
 * backend with memory of its own (the bare-metal image in QEMU) serves them from a mailbox
 * in memory the harness shares (struct vbe_sim_mailbox, vbe_sim_mailbox_poll()).
 *
 * pyhost reads this header with cffi: integer #defines and structs only. Every field is
 * little-endian and naturally aligned; no struct has hidden padding.
 */

#ifndef VBE_SIM_CMD_H
#define VBE_SIM_CMD_H

#include <stdint.h>

#define VBE_SIM_CMD_VERSION 1
#define VBE_SIM_CMD_DATA_SIZE 512

/*
 * Commands: arguments -> result (0 or a negative errno unless said otherwise) and the data
 * of the response. Resources are SCMI platform indexes (the description's SCMI tables),
 * agents SCMI agent ids (1..), guests guest indexes.
 */
#define VBE_SIM_CMD_NOP 0           /* -> 0 */
#define VBE_SIM_CMD_SET_TEMP 1      /* arg0 bus, arg1 addr, arg2 milli-degrees C; -ENODEV */
#define VBE_SIM_CMD_EEPROM 2        /* arg0 bus, arg1 addr -> the AT24's memory; -ENODEV */
#define VBE_SIM_CMD_BUS_LOG_SEQ 3   /* -> result: the newest bus log sequence number */
#define VBE_SIM_CMD_BUS_LOG_GET 4   /* arg0 seq -> struct vbe_sim_cmd_bus_entry; -ENOENT */
#define VBE_SIM_CMD_RES_STATE 5     /* arg0 kind (enum vbe_scmi_res), arg1 index -> */
				    /* struct vbe_sim_cmd_res_state; -ENOENT */
#define VBE_SIM_CMD_SENSOR_SET 6    /* arg0 index, arg1 value bits 0..31, arg2 bits 32..63: */
				    /* crossed trip points notify the agents; -ENOENT */
#define VBE_SIM_CMD_SYSTEM_STATE 7  /* arg0 agent -> struct vbe_sim_cmd_system; -ENOENT */
#define VBE_SIM_CMD_SYSTEM_NOTIFY 8 /* arg0 agent, arg1 flags, arg2 state, arg3 timeout ms: */
				    /* SYSTEM_POWER_STATE_NOTIFIER; -ENOENT, -EAGAIN dropped */
#define VBE_SIM_CMD_OP_LOG_SEQ 9    /* -> result: the newest platform operation's number */
#define VBE_SIM_CMD_OP_LOG_GET 10   /* arg0 seq -> struct vbe_sim_cmd_op_entry; -ENOENT */
#define VBE_SIM_CMD_I2C_STATS 11    /* arg0 guest -> struct vbe_sim_cmd_i2c_stats; -ENOENT */
#define VBE_SIM_CMD_I2C_DIAG 12     /* arg0 guest, arg1 seq (0: the newest) -> */
				    /* struct vbe_sim_cmd_i2c_diag; -ENOENT */
/* From here on, commands of the port that serves the protocol (its own meaning). */
#define VBE_SIM_CMD_PORT 0x100

/* A mailbox (struct vbe_sim_mailbox) starts with this once the backend serves it. */
#define VBE_SIM_MAILBOX_MAGIC 0x584d4256 /* "VBMX" */

struct vbe_sim_req {
	uint32_t cmd;
	int32_t arg[4];
};

struct vbe_sim_rsp {
	int32_t result;
	uint32_t data_len; /* bytes of data[] the command wrote */
	uint8_t data[VBE_SIM_CMD_DATA_SIZE];
};

/* ---- response data ---- */

struct vbe_sim_cmd_bus_msg {
	uint8_t flags; /* VBE_I2C_MSG_* */
	uint8_t reserved[3];
	uint32_t len;
	uint8_t data[16]; /* the first min(len, 16) bytes that crossed the bus */
};

struct vbe_sim_cmd_bus_entry {
	uint32_t seq;
	uint8_t bus;
	uint8_t num_msgs; /* messages recorded below (at most 4) */
	uint16_t addr;
	int32_t result;
	struct vbe_sim_cmd_bus_msg msgs[4];
};

struct vbe_sim_cmd_res_state {
	int64_t value;  /* clock Hz, power state, perf level, sensor value, regulator uV */
	uint32_t votes; /* bit (agent id - 1) per agent holding it (perf: with a request) */
	uint32_t on;    /* 1: clock or regulator enabled, power domain ON, reset asserted */
};

struct vbe_sim_cmd_system {
	uint32_t state;    /* the agent's last system power request (3 POWER_UP: none) */
	uint32_t requests; /* requests that reached the platform */
};

struct vbe_sim_cmd_op_entry {
	int64_t value;  /* Hz, power state, level, uV, system state */
	uint32_t seq;
	uint32_t arg;   /* regulator: max uV; system: flags */
	int32_t result; /* 0 or the negative errno the operation returned */
	int32_t index;  /* platform index of the resource (SYSTEM: agent id); -ENOENT: none */
	uint16_t id;    /* the platform id the operation was called with */
	uint8_t op;     /* enum vbe_sim_op */
	uint8_t reserved[5];
};

#define VBE_SIM_CMD_I2C_ERRORS 9 /* VBE_I2C_ERR_COUNT */

struct vbe_sim_cmd_i2c_stats {
	uint32_t requests;     /* requests completed since boot */
	uint32_t transactions; /* bus transactions started */
	uint32_t errors[VBE_SIM_CMD_I2C_ERRORS]; /* per enum vbe_i2c_error */
};

/* struct vbe_i2c_diag (vbe/i2c.h) as the protocol carries it */
struct vbe_sim_cmd_i2c_diag {
	uint32_t seq;      /* 1, 2, 3 ... per device: failed transfers since boot */
	uint16_t head;     /* descriptor head of the request that failed first */
	uint16_t addr;     /* its guest address (the raw out_hdr field for an ADDR error) */
	uint16_t bus_addr; /* where its route leads; 0xffff: no route */
	uint8_t reason;    /* enum vbe_i2c_error */
	uint8_t flags;     /* VBE_I2C_DIAG_* */
	uint32_t len;      /* its length in bytes */
	uint8_t index;     /* its place in its FAIL_NEXT group */
	uint8_t count;     /* requests in that group (0: more than VBE_I2C_GROUP_MAX) */
	uint8_t reserved[2];
};

/*
 * A mailbox in memory the harness shares (the bare-metal image: a page of guest RAM).
 * Harness: write req, then seq = ack + 1 (and wake the backend). Backend: sees seq != ack,
 * reads req, runs it, writes rsp, then ack = seq. Each half is written by one side only and
 * starts on its own 64-byte line; rsp.data is 8-byte aligned.
 */
struct vbe_sim_mailbox {
	/* written by the backend when it starts serving, magic last */
	uint32_t magic;   /* VBE_SIM_MAILBOX_MAGIC */
	uint32_t version; /* VBE_SIM_CMD_VERSION */
	uint32_t size;    /* sizeof(struct vbe_sim_mailbox) */
	uint32_t reserved0[13];
	/* written by the harness */
	uint32_t seq;
	struct vbe_sim_req req;
	uint32_t reserved1[10];
	/* written by the backend */
	uint32_t ack;
	uint32_t reserved2;
	struct vbe_sim_rsp rsp;
};

#endif /* VBE_SIM_CMD_H */
