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
#define BM_MBX_VERSION 1
#define BM_MBX_DATA_SIZE 512

/* Commands: arguments -> result (0 or a negative errno unless said otherwise) */
#define BM_MBX_CMD_NOP 0      /* -> 0 */
#define BM_MBX_CMD_SET_TEMP 1 /* arg0 bus, arg1 addr, arg2 milli-degrees C; -ENODEV: no LM75 */
#define BM_MBX_CMD_EEPROM 2   /* arg0 bus, arg1 addr -> data: the AT24's memory; -ENODEV */
#define BM_MBX_CMD_LOG_SEQ 3  /* -> result: the newest bus log sequence number */
#define BM_MBX_CMD_LOG_GET 4  /* arg0 seq -> data: struct bm_mbx_log_entry; -ENOENT */
#define BM_MBX_CMD_IDLE 5     /* arg0 spin us, arg1 longest sleep us, for doorbell mode */

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
};

#endif /* VBE_BOARDS_QEMU_VIRT_BAREMETAL_MAILBOX_LAYOUT_H */
