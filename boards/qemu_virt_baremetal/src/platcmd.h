/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The platform commands of mailbox_layout.h (set a sensor, read an EEPROM, the bus and
 * operation logs, SCMI resource state...), run against one simulated platform whatever
 * carries them: this image's mailbox page (mailbox.c), the bare-metal Xen Dom0's console
 * (boards/xen_dom0_baremetal). Commands that depend on the carrier (IDLE, TIME) are the
 * carrier's.
 */

#ifndef VBE_BOARDS_QEMU_VIRT_BAREMETAL_PLATCMD_H
#define VBE_BOARDS_QEMU_VIRT_BAREMETAL_PLATCMD_H

#include <stdint.h>

#include "mailbox_layout.h"

struct vbe_scmi_server;
struct vbe_sim;
struct vbe_sys_cfg;

/** What the commands reach: the platform, the description it was built from, its SCMI server. */
struct bm_platcmd_ctx {
	struct vbe_sim *sim;
	const struct vbe_sys_cfg *cfg;
	struct vbe_scmi_server *scmi;
};

/**
 * @brief Run one command.
 *
 * @param arg the command's four arguments (mailbox_layout.h says what each one is).
 * @param data the answer's bytes (BM_MBX_DATA_SIZE at most); @p len is set to their count.
 * @return the command's result: 0, a value, or a negative errno; -ENOSYS for a command this
 *         function does not run (NOP included: it runs, 0).
 */
int32_t bm_platcmd_run(const struct bm_platcmd_ctx *c, uint32_t cmd, const int32_t arg[4],
		       uint8_t data[BM_MBX_DATA_SIZE], uint32_t *len);

#endif /* VBE_BOARDS_QEMU_VIRT_BAREMETAL_PLATCMD_H */
