/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The platform mailbox: the core's platform protocol (vbe/sim_cmd.h, vbe_sim_mailbox_poll)
 * in a page of guest RAM that the harness shares, the way the host library's
 * vbe_host_sim_cmd() reaches the same handler in-process. The board adds its own commands
 * (harness_layout.h) and owns the service loop's profile. One command at a time, run from
 * the service loop.
 */

#include <errno.h>
#include <stdbool.h>
#include <stdint.h>
#include <string.h>

#include <vbe/sim.h>
#include <vbe/sim_cmd.h>
#include <vbe/sys.h>

#include "board.h"
#include "harness.h"
#include "harness_layout.h"
#include "prof.h"

_Static_assert(sizeof(struct vbe_sim_mailbox) <= 4096, "the mailbox fits one page");
_Static_assert(sizeof(struct bm_profile) % 8 == 0, "the profile has no tail padding");

/* Found by the build's manifest step by symbol (the "mailbox" and "profile" entries). */
struct vbe_sim_mailbox vbe_mailbox __attribute__((aligned(4096)));
BM_KEEP struct bm_profile vbe_bm_prof __attribute__((aligned(64)));

static struct vbe_sim *mbx_sim;
static struct vbe_sys *mbx_sys;

void bm_mailbox_init(struct vbe_sim *sim, struct vbe_sys *sys)
{
	mbx_sim = sim;
	mbx_sys = sys;
	memset(&vbe_bm_prof, 0, sizeof(vbe_bm_prof));
	vbe_bm_prof.enabled = BM_PROF_ON;
	vbe_bm_prof.freq_hz = (uint32_t)bm_timer_freq();
	vbe_sim_mailbox_init(&vbe_mailbox);
}

/* The board's commands (BM_CMD_*). */
static int32_t mbx_port(const struct vbe_sim_req *req, struct vbe_sim_rsp *rsp)
{
	uint64_t now;

	switch (req->cmd) {
	case BM_CMD_IDLE:
		if (req->arg[0] < 0 || req->arg[1] < 0) {
			return -EINVAL;
		}
		bm_doorbell_set_idle((uint32_t)req->arg[0], (uint32_t)req->arg[1]);
		return 0;
	case BM_CMD_TIME:
		now = bm_timer_ticks();
		memcpy(rsp->data, &now, sizeof(now));
		rsp->data_len = sizeof(now);
		return 0;
	default:
		return -ENOSYS;
	}
}

bool bm_mailbox_poll(void)
{
	if (mbx_sim == NULL) {
		return false;
	}
	return vbe_sim_mailbox_poll(&vbe_mailbox, mbx_sim, mbx_sys, mbx_port);
}
