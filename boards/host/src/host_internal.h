/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Host port internals shared by the host_*.c files: the backend and vhost-user handles.
 */

#ifndef VBE_HOST_SRC_HOST_INTERNAL_H
#define VBE_HOST_SRC_HOST_INTERNAL_H

#include <stdbool.h>

#include <vbe/sim.h>
#include <vbe/sys.h>
#include <vbe/vhu.h>

struct vbe_host {
	const struct vbe_sys_cfg *cfg;
	struct vbe_sim sim;
	struct vbe_sys sys;
	bool started;
	bool vhu_mode;                          /* vbe_host_start_vhu(): devices, no windows */
	bool vhu_bound[VBE_SYS_MAX_GUESTS][2];  /* [guest][VBE_HOST_VHU_*] has a handle */
};

/** A device bound to rings in guest RAM: a guest's own backend (h set) or a relay's (h NULL). */
struct vbe_host_vhu {
	struct vbe_host *h;
	int guest;
	int kind;
	struct vbe_vhu dev;
};

#endif /* VBE_HOST_SRC_HOST_INTERNAL_H */
