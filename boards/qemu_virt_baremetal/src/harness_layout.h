/* SPDX-License-Identifier: Apache-2.0 */
/*
 * What pyhost's QEMU machine reads of this board beyond the core's platform protocol
 * (vbe/sim_cmd.h, served from the mailbox vbe_mailbox): the board's own mailbox commands,
 * and the service loop's profile (symbol vbe_bm_prof; its address is in the manifest's
 * "profile" entry).
 *
 * This header is also read by pyhost (cffi): integer #defines and structs only.
 */

#ifndef VBE_BOARDS_QEMU_VIRT_BAREMETAL_HARNESS_LAYOUT_H
#define VBE_BOARDS_QEMU_VIRT_BAREMETAL_HARNESS_LAYOUT_H

#include <stdint.h>

/* The board's mailbox commands (VBE_SIM_CMD_PORT + n): arguments -> result, data */
#define BM_CMD_IDLE 0x100 /* arg0 spin us, arg1 longest sleep us, for doorbell mode */
#define BM_CMD_TIME 0x101 /* -> data: uint64_t, the virtual counter (CNTVCT_EL0) as it ran */

/*
 * The service loop's profile (image-written; all zero unless the image was built with
 * VBE_BM_PROFILE=ON). Times are sums of generic timer ticks (freq_hz per second), counted
 * from the WFI return of a round that the doorbell woke ("woken round": the first round
 * after a sleep that drained a doorbell byte). Read it while the image is idle.
 */
struct bm_profile {
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

#endif /* VBE_BOARDS_QEMU_VIRT_BAREMETAL_HARNESS_LAYOUT_H */
