/* SPDX-License-Identifier: Apache-2.0 */
/*
 * qemu_virt_baremetal: what the harness (pyhost's QemuMachine) talks to besides the
 * windows. Board-private, like bm.h; kept apart so the runtime does not depend on it.
 *
 * - gic.c: enable one shared peripheral interrupt at the GICv2 as a WFI wake-up source.
 * - doorbell.c: a byte protocol on the second PL011 (UART1), which QEMU wires to a
 *   unix-socket chardev the harness holds (see docs/transport.md, "Notifications").
 * - mailbox.c: the platform mailbox: the core's platform protocol (vbe/sim_cmd.h) through
 *   which the harness reads and sets the simulated platform, plus the board's own commands
 *   and the profile (harness_layout.h).
 *
 * The manifest's "doorbell" entry comes from the defines below and board.h (sysdesc's
 * gen_manifest_body reads them), its "mailbox" and "profile" entries from the symbols
 * vbe_mailbox and vbe_bm_prof.
 */

#ifndef VBE_BOARDS_QEMU_VIRT_BAREMETAL_HARNESS_H
#define VBE_BOARDS_QEMU_VIRT_BAREMETAL_HARNESS_H

#include <stdbool.h>
#include <stdint.h>

struct vbe_fvq_notify;
struct vbe_sim;
struct vbe_sys;

/* --- gic.c ---------------------------------------------------------------------------- */

/** Second PL011 on virt: SPI 8 = INTID 40, level-sensitive, active high. */
#define BM_IRQ_UART1 40

/**
 * @brief Route SPI @p intid to CPU 0 and enable it at the distributor, so that it wakes
 * WFI. It is never taken (PSTATE.I stays set): the service loop clears it.
 *
 * @retval 0 done. @retval -ENODEV no GICv2 (bm_idle_init() failed). @retval -EINVAL not an SPI.
 */
int bm_gic_enable_wake(unsigned int intid);

/** @brief Clear what the distributor latched for @p intid (a line still high stays pending). */
void bm_gic_clear_pending(unsigned int intid);

/* --- doorbell.c ----------------------------------------------------------------------- */

/** Version of the byte protocol below (the manifest's doorbell.protocol). */
#define BM_DB_PROTOCOL 1

/** Bytes on the doorbell UART. Harness -> image: */
#define BM_DB_HELLO 'H' /* switch to doorbell mode; answered with BM_DB_HELLO */
#define BM_DB_PING 'P'  /* answered at once with BM_DB_PING (the latency floor) */
#define BM_DB_KICK 'K'  /* something changed: poll (any other byte counts as a kick too) */
/** Image -> harness (only in doorbell mode): */
#define BM_DB_NOTIFY 'N' /* used-buffer or configuration notification (fvq notify callback) */
#define BM_DB_DONE 'A'   /* a round did work (status ack, mailbox) without a notification */

/**
 * @brief Set up UART1 for the doorbell: receive interrupt enabled at the UART and at the GIC.
 *
 * @retval 0 ready (the image stays in polling mode until the harness says hello).
 * @retval -ENODEV no second PL011 (QEMU was started with one -serial) or no GICv2.
 */
int bm_doorbell_init(void);

/** @brief The notify callback for vbe_sys_start(): one BM_DB_NOTIFY byte in doorbell mode. */
const struct vbe_fvq_notify *bm_doorbell_notifier(void);

/**
 * @brief When an interrupt is pending (ISR_EL1, no MMIO otherwise): drain UART1, answer
 * hello and ping, clear the GIC's latch. @return the bytes read.
 */
unsigned int bm_doorbell_rx(void);

/** @brief End of a service round: BM_DB_DONE if it did work and sent no notification. */
void bm_doorbell_round_end(bool work);

/**
 * @brief The idle policy in force: in doorbell mode, spin @p spin_us after the last work
 * then sleep up to @p sleep_max_us (a backstop: the doorbell ends a sleep at once); in
 * polling mode both stay as the caller set them.
 */
void bm_doorbell_idle_policy(uint32_t *spin_us, uint32_t *sleep_max_us);

/** @brief Doorbell-mode idle policy (the mailbox's IDLE command). */
void bm_doorbell_set_idle(uint32_t spin_us, uint32_t sleep_max_us);

/* --- mailbox.c ------------------------------------------------------------------------ */

/** @brief Publish the mailbox (magic last): the harness reaches @p sim and @p sys. */
void bm_mailbox_init(struct vbe_sim *sim, struct vbe_sys *sys);

/**
 * @brief Run a pending command (vbe_sim_mailbox_poll(): one more poll of the windows
 * first, so that whatever the driver published before the command has been served).
 *
 * @return true when a command ran.
 */
bool bm_mailbox_poll(void);

#endif /* VBE_BOARDS_QEMU_VIRT_BAREMETAL_HARNESS_H */
