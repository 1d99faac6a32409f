/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Host port internals shared by host_api.c and host_scmi.c: the backend handle.
 */

#ifndef VBE_HOST_SRC_HOST_INTERNAL_H
#define VBE_HOST_SRC_HOST_INTERNAL_H

#include <stdbool.h>

#include <vbe/sim.h>
#include <vbe/sys.h>

struct vbe_host {
	const struct vbe_sys_cfg *cfg;
	struct vbe_sim sim;
	struct vbe_sys sys;
	bool started;
	bool vhu_mode;                          /* vbe_host_start_vhu(): devices, no windows */
	bool vhu_bound[VBE_SYS_MAX_GUESTS][2];  /* [guest][VBE_HOST_VHU_*] has a handle */
};

/** The description's SCMI platform, NULL when it has none. */
const struct vbe_scmi_platform_cfg *vbe_host_scmi_cfg(struct vbe_host *h);

/** Does resource @p idx of @p kind exist? */
bool vbe_host_scmi_has(struct vbe_host *h, int kind, int idx);

#endif /* VBE_HOST_SRC_HOST_INTERNAL_H */
