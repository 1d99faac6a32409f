/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Host port, backend handle: a generated system description on the simulated platform,
 * driven by pyhost: run it, and reach its platform through the platform protocol.
 * The only allocation in vbe happens here (one calloc per handle).
 */

#include <errno.h>
#include <stdbool.h>
#include <stdlib.h>

#include <vbe/host.h>
#include <vbe/sim.h>
#include <vbe/sim_cmd.h>
#include <vbe/sys.h>

#include "host_internal.h"

struct vbe_host *vbe_host_create(const void *cfg)
{
	struct vbe_host *h;

	if (cfg == NULL) {
		return NULL;
	}
	h = calloc(1, sizeof(*h));
	if (h == NULL) {
		return NULL;
	}
	h->cfg = (const struct vbe_sys_cfg *)cfg;
	if (vbe_sim_populate(&h->sim, h->cfg) != 0) {
		free(h);
		return NULL;
	}
	return h;
}

void vbe_host_destroy(struct vbe_host *h)
{
	free(h);
}

int vbe_host_start(struct vbe_host *h, void **windows)
{
	int err;

	if (h->started) {
		return -EBUSY;
	}
	err = vbe_sys_init(&h->sys, h->cfg, &h->sim.plat, windows);
	if (err != 0) {
		return err;
	}
	vbe_sys_start(&h->sys, NULL);
	h->started = true;
	return 0;
}

int vbe_host_poll(struct vbe_host *h)
{
	bool did_work = false;

	if (!h->started) {
		return 0;
	}
	vbe_sys_poll(&h->sys, &did_work);
	return did_work ? 1 : 0;
}

int32_t vbe_host_sim_cmd(struct vbe_host *h, const struct vbe_sim_req *req,
			 struct vbe_sim_rsp *rsp)
{
	if (h == NULL) {
		return -EINVAL;
	}
	/* the same handler the bare-metal image serves from its mailbox */
	return vbe_sim_cmd(&h->sim, h->cfg, h->started ? &h->sys : NULL, req, rsp);
}
