/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The platform mailbox (layout and protocol: mailbox_layout.h): how the harness reaches
 * the simulated platform inside the image, the way the host port's vbe_host_sim_* calls
 * reach it in-process. One command at a time, run from the service loop.
 */

#include <errno.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <vbe/port.h>
#include <vbe/scmi.h>
#include <vbe/shmem.h>
#include <vbe/sim.h>
#include <vbe/sys.h>

#include "board.h"
#include "harness.h"
#include "mailbox_layout.h"
#include "platcmd.h"
#include "prof.h"

_Static_assert(sizeof(struct bm_mailbox) <= 4096, "the mailbox fits one page");
_Static_assert(offsetof(struct bm_mailbox, cmd_seq) % 64 == 0, "harness half on its own line");
_Static_assert(offsetof(struct bm_mailbox, ack_seq) % 64 == 0, "image half on its own line");
_Static_assert(offsetof(struct bm_mailbox, data) % 8 == 0, "data[] is 8-byte aligned");
_Static_assert(offsetof(struct bm_mailbox, prof) == 0x300, "the profile at +0x300");
_Static_assert(sizeof(struct bm_mbx_prof) % 8 == 0, "the profile has no tail padding");

/* Read by the build's manifest step (gen_manifest.py): keep the names. */
struct bm_mailbox vbe_bm_mailbox __attribute__((aligned(4096)));
BM_KEEP const uint32_t vbe_bm_mailbox_version = BM_MBX_VERSION;

static struct vbe_sim *mbx_sim;
static struct vbe_sys *mbx_sys;

void bm_mailbox_init(struct vbe_sim *sim, struct vbe_sys *sys)
{
	struct bm_mailbox *m = &vbe_bm_mailbox;

	mbx_sim = sim;
	mbx_sys = sys;
	vbe_st32(&m->version, BM_MBX_VERSION);
	vbe_st32(&m->size, sizeof(*m));
	vbe_st32(&m->ack_seq, vbe_ld32(&m->cmd_seq));
	memset(&m->prof, 0, sizeof(m->prof));
	m->prof.enabled = BM_PROF_ON;
	m->prof.freq_hz = (uint32_t)bm_timer_freq();
	/* Everything above before the magic: pairs with the harness's check of magic first. */
	vbe_wmb();
	vbe_st32(&m->magic, BM_MBX_MAGIC);
}

/* The board's own commands, then the platform's (platcmd.c); answers by byte stores. */
static int32_t mbx_run(struct bm_mailbox *m, uint32_t cmd)
{
	static uint8_t data[BM_MBX_DATA_SIZE];
	const struct bm_platcmd_ctx ctx = { .sim = mbx_sim, .cfg = mbx_sys->cfg,
					    .scmi = &mbx_sys->scmi };
	int32_t arg[4];
	uint32_t len = 0U;
	int32_t rc;

	for (unsigned int i = 0U; i < 4U; i++) {
		arg[i] = (int32_t)vbe_ld32(&m->arg[i]);
	}
	switch (cmd) {
	case BM_MBX_CMD_IDLE:
		if (arg[0] < 0 || arg[1] < 0) {
			rc = -EINVAL;
			break;
		}
		bm_doorbell_set_idle((uint32_t)arg[0], (uint32_t)arg[1]);
		rc = 0;
		break;
	case BM_MBX_CMD_TIME: {
		uint64_t now = bm_timer_ticks();

		memcpy(data, &now, sizeof(now));
		len = sizeof(now);
		rc = 0;
		break;
	}
	default:
		rc = bm_platcmd_run(&ctx, cmd, arg, data, &len);
		break;
	}
	for (uint32_t i = 0U; i < len; i++) {
		vbe_st8(&m->data[i], data[i]);
	}
	vbe_st32(&m->data_len, len);
	return rc;
}

bool bm_mailbox_poll(void)
{
	struct bm_mailbox *m = &vbe_bm_mailbox;
	uint32_t seq = vbe_ld32(&m->cmd_seq);
	bool ignored;

	if (mbx_sim == NULL || seq == vbe_ld32(&m->ack_seq)) {
		return false;
	}
	/* Pairs with the harness writing cmd and arg[] before cmd_seq. */
	vbe_rmb();
	/* Serve what the driver published before this command, so the answer includes it. */
	vbe_sys_poll(mbx_sys, &ignored);
	vbe_st32(&m->result, (uint32_t)mbx_run(m, vbe_ld32(&m->cmd)));
	/* result and data before the acknowledgement: pairs with the harness's read after it. */
	vbe_wmb();
	vbe_st32(&m->ack_seq, seq);
	return true;
}
