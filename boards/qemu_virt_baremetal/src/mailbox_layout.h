/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The platform mailbox of the bare-metal image: one page in guest RAM (symbol
 * vbe_bm_mailbox, address in the manifest's "mailbox" entry) through which the harness
 * reaches the simulated platform that lives inside the image.
 *
 * Protocol (one command at a time; all fields little-endian):
 *   harness: write cmd and arg[], then cmd_seq = ack_seq + 1 (and ring the doorbell);
 *   image:   sees cmd_seq != ack_seq, rmb, polls the windows once more, runs the command,
 *            writes result, data_len and data[], wmb, then ack_seq = cmd_seq.
 * Each half is written by one side only and starts on its own 64-byte line.
 *
 * This header is also read by pyhost (cffi): integer #defines and structs only.
 */

#ifndef VBE_BOARDS_QEMU_VIRT_BAREMETAL_MAILBOX_LAYOUT_H
#define VBE_BOARDS_QEMU_VIRT_BAREMETAL_MAILBOX_LAYOUT_H

#include <stdint.h>

#define BM_MBX_MAGIC 0x584d4256 /* "VBMX" */
#define BM_MBX_VERSION 3 /* 2: the SCMI commands 6..11; 3: TIME, the profile */
#define BM_MBX_DATA_SIZE 512

/* Commands: arguments -> result (0 or a negative errno unless said otherwise) */
#define BM_MBX_CMD_NOP 0      /* -> 0 */
#define BM_MBX_CMD_SET_TEMP 1 /* arg0 bus, arg1 addr, arg2 milli-degrees C; -ENODEV: no LM75 */
#define BM_MBX_CMD_EEPROM 2   /* arg0 bus, arg1 addr -> data: the AT24's memory; -ENODEV */
#define BM_MBX_CMD_LOG_SEQ 3  /* -> result: the newest bus log sequence number */
#define BM_MBX_CMD_LOG_GET 4  /* arg0 seq -> data: struct bm_mbx_log_entry; -ENOENT */
#define BM_MBX_CMD_IDLE 5     /* arg0 spin us, arg1 longest sleep us, for doorbell mode */
/* SCMI resources by platform index (the SCMI tables of the system description) */
#define BM_MBX_CMD_SCMI_STATE 6  /* arg0 kind (enum vbe_scmi_res), arg1 index -> data: */
				 /* struct bm_mbx_scmi_state; -ENOENT: no such resource */
#define BM_MBX_CMD_SCMI_SENSOR 7 /* arg0 sensor, arg1 value bits 0..31, arg2 bits 32..63; */
				 /* crossed trip points notify the agents; -ENOENT */
#define BM_MBX_CMD_SCMI_SYSTEM 8 /* arg0 agent id -> data: struct bm_mbx_scmi_system; -ENOENT */
#define BM_MBX_CMD_OP_SEQ 9      /* -> result: the newest platform operation's sequence number */
#define BM_MBX_CMD_OP_GET 10     /* arg0 seq -> data: struct bm_mbx_op_entry; -ENOENT */
#define BM_MBX_CMD_SCMI_NOTIFY 11 /* arg0 agent id, arg1 flags, arg2 state, arg3 timeout ms: */
				  /* SYSTEM_POWER_STATE_NOTIFIER; -ENOENT, -EAGAIN (dropped) */
#define BM_MBX_CMD_TIME 12 /* -> data: uint64_t, the virtual counter (CNTVCT_EL0) as it ran */

struct bm_mbx_log_msg {
	uint8_t flags; /* VBE_I2C_MSG_* */
	uint8_t reserved[3];
	uint32_t len;
	uint8_t data[16]; /* the first min(len, 16) bytes that crossed the bus */
};

struct bm_mbx_log_entry {
	uint32_t seq;
	uint8_t bus;
	uint8_t num_msgs; /* messages recorded below (at most 4) */
	uint16_t addr;
	int32_t result;
	struct bm_mbx_log_msg msgs[4];
};

/* Multi-byte fields below are naturally aligned; data[] starts 8-byte aligned. */
struct bm_mbx_scmi_state {
	int64_t value;  /* clock Hz, power state, perf level, sensor value, regulator uV */
	uint32_t votes; /* bit (agent id - 1) per agent holding it (perf: with a request) */
	uint32_t on;    /* 1: clock or regulator enabled, power domain ON, reset asserted */
};

struct bm_mbx_scmi_system {
	uint32_t state;    /* the agent's last system power request (3 POWER_UP: none) */
	uint32_t requests; /* requests that reached the platform */
};

struct bm_mbx_op_entry {
	int64_t value;  /* Hz, power state, level, uV, system state */
	uint32_t seq;
	uint32_t arg;   /* regulator: max uV; system: flags */
	int32_t result; /* 0 or the negative errno the operation returned */
	int32_t index;  /* platform index of the resource (SYSTEM: agent id); -ENOENT: none */
	uint16_t id;    /* the platform id the operation was called with */
	uint8_t op;     /* enum vbe_sim_op (VBE_HOST_OP_*) */
	uint8_t reserved[5];
};

/*
 * The service loop's profile (image-written, at +0x300; all zero unless the image was built
 * with VBE_BM_PROFILE=ON). Times are sums of generic timer ticks (freq_hz per second),
 * counted from the WFI return of a round that the doorbell woke ("woken round": the first
 * round after a sleep that drained a doorbell byte). Read it while the image is idle.
 */
struct bm_mbx_prof {
	uint32_t enabled; /* 1: built with VBE_BM_PROFILE */
	uint32_t freq_hz; /* CNTFRQ_EL0 */
	uint64_t rounds;  /* service rounds, all of them */
	uint64_t sleeps;  /* WFIs entered */
	uint64_t woken;   /* woken rounds: the sums below are over these */
	uint64_t notified; /* woken rounds that wrote a notification byte ('N') */
	uint64_t drain;   /* WFI return -> doorbell UART drained, GIC latch cleared */
	uint64_t windows; /* WFI return -> the windows polled */
	uint64_t mailbox; /* WFI return -> the mailbox checked */
	uint64_t end;     /* WFI return -> round end (its 'A', if any, written) */
	uint64_t notify;  /* WFI return -> first 'N' written (sum over notified rounds) */
	uint64_t tail;    /* round end -> next WFI entered (later rounds, idle check, arming) */
	uint64_t tail_rounds; /* rounds in those tails */
	uint64_t polled;  /* windows polled in woken rounds */
	uint64_t win[4];  /* time inside each window's poll in woken rounds */
	uint64_t last_wake;   /* counter at the latest WFI return */
	uint64_t last_notify; /* counter at the latest 'N' */
	uint64_t wake_ret; /* WFI return -> back in the loop (timer disarmed, its latch cleared) */
	uint64_t rx_gic;   /* clearing the doorbell's GIC latch (sum over rx_drains) */
	uint64_t rx_drains; /* drains that read a byte (any round) */
	uint64_t notify_write; /* writing the first 'N' of a notified round (FIFO check, DR) */
	uint64_t reserved[2];
};

struct bm_mailbox {
	/* written by the image at boot, magic last */
	uint32_t magic;
	uint32_t version;
	uint32_t size; /* sizeof(struct bm_mailbox) */
	uint32_t reserved0[13];
	/* written by the harness */
	uint32_t cmd_seq;
	uint32_t cmd;
	int32_t arg[4];
	uint32_t reserved1[10];
	/* written by the image */
	uint32_t ack_seq;
	int32_t result;
	uint32_t data_len;
	uint32_t reserved2[13];
	uint8_t data[BM_MBX_DATA_SIZE];
	uint32_t reserved3[16];
	/* written by the image, +0x300 */
	struct bm_mbx_prof prof;
};

#endif /* VBE_BOARDS_QEMU_VIRT_BAREMETAL_MAILBOX_LAYOUT_H */
