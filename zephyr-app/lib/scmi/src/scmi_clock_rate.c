/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Clock protocol (0x14) rates (DEN0056E 4.6.2.5-4.6.2.7): describe (a range triplet, or a
 * list page by page), set (rounded as asked; async with CLOCK_RATE_SET_COMPLETE), get. The
 * rate is the platform's: whichever agent may (VBE_SCMI_PERM_LEVEL) sets it for all, and
 * every subscriber hears of it.
 */

#include <errno.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <vbe/plat.h>
#include <vbe/scmi.h>
#include <vbe/shmem.h>

#include "scmi_clock.h"
#include "scmi_internal.h"

#define CLOCK_SET_FLAGS_KNOWN 0xfU

static void clock_put_rate(uint8_t *p, uint64_t rate)
{
	vbe_scmi_put_le32(p, (uint32_t)rate);
	vbe_scmi_put_le32(p + 4, (uint32_t)(rate >> 32));
}

/* 4.6.2.5: a range is one triplet {min, max, step}; a list goes page by page. */
int vbe_scmi_clock_describe_rates(struct vbe_scmi_msg *m)
{
	uint32_t index = SCMI_GET(m->a2p, struct scmi_clock_describe_rates_a2p, rate_index);
	int clk = vbe_scmi_lookup(m, offsetof(struct scmi_clock_describe_rates_a2p, id), 0);
	const struct vbe_scmi_clock_cfg *c;
	bool range;
	int rc = clk;

	if (clk < 0) {
		goto exit;
	}
	c = &m->srv->cfg->clocks[clk];
	range = (c->flags & VBE_SCMI_RES_F_RANGE) != 0U;
	rc = -EINVAL;
	if (range && index != 0U) {
		goto exit; /* the triplet {min, max, step} is one page */
	}
	rc = vbe_scmi_page(m, index, c->rate_count, 8U, range ? VBE_SCMI_CLOCK_RATES_RANGE : 0U);
	for (int i = 0; i < rc; i++) {
		clock_put_rate(m->p2a + 4U + 8U * (uint32_t)i, c->rates[index + (uint32_t)i]);
	}
	rc = (rc < 0) ? rc : 0;
exit:
	return rc;
}

/* Round @p want to a supported rate (4.6.2.6 flags bits 3:2); -ERANGE outside the clock's. */
static int clock_round(const struct vbe_scmi_clock_cfg *c, uint64_t want, uint32_t flags,
		       uint64_t *out)
{
	bool range = (c->flags & VBE_SCMI_RES_F_RANGE) != 0U;
	uint64_t lo = c->rates[0];
	uint64_t hi = range ? c->rates[1] : c->rates[c->rate_count - 1U];
	uint64_t down = lo;
	uint64_t up = hi;

	if (want < lo || want > hi) {
		return -ERANGE;
	}
	if (range) {
		down = lo + ((want - lo) / c->rates[2]) * c->rates[2];
		up = (down == want || down + c->rates[2] > hi) ? down : down + c->rates[2];
	} else {
		for (uint8_t i = 0; i < c->rate_count; i++) {
			if (c->rates[i] <= want) {
				down = c->rates[i];
			}
			if (c->rates[c->rate_count - 1U - i] >= want) {
				up = c->rates[c->rate_count - 1U - i];
			}
		}
	}
	if ((flags & VBE_SCMI_CLOCK_SET_ROUND_AUTO) != 0U) {
		*out = (want - down <= up - want) ? down : up;
	} else {
		*out = ((flags & VBE_SCMI_CLOCK_SET_ROUND_UP) != 0U) ? up : down;
	}
	return 0;
}

static void clock_event(struct vbe_scmi_msg *m, uint32_t mask, uint16_t clk, uint8_t id,
			uint64_t rate)
{
	/* agent_id, clock_id, rate_low, rate_high (4.6.4.1, 4.6.4.2) */
	uint32_t hz[2] = { (uint32_t)rate, (uint32_t)(rate >> 32) };

	vbe_scmi_notify_res(m->srv, mask, VBE_SCMI_RES_CLOCK, clk, id, m->agent, hz, 2);
}

/* 4.6.2.6: sync, or async with CLOCK_RATE_SET_COMPLETE on the eventq (unless bit 1). */
int vbe_scmi_clock_rate_set(struct vbe_scmi_msg *m)
{
	uint32_t flags = SCMI_GET(m->a2p, struct scmi_clock_rate_set_a2p, flags);
	uint32_t id = SCMI_GET(m->a2p, struct scmi_clock_rate_set_a2p, id);
	uint64_t lo = SCMI_GET(m->a2p, struct scmi_clock_rate_set_a2p, rate_low);
	uint64_t want = lo | ((uint64_t)SCMI_GET(m->a2p, struct scmi_clock_rate_set_a2p,
						 rate_high) << 32);
	int clk = vbe_scmi_lookup(m, offsetof(struct scmi_clock_rate_set_a2p, id),
				  VBE_SCMI_PERM_LEVEL);
	struct vbe_scmi_clock_state *st;
	uint64_t rate = 0;
	int rc = clk;

	if (clk < 0) {
		goto exit;
	}
	st = &m->srv->clock[clk];
	rc = -EINVAL;
	if ((flags & ~CLOCK_SET_FLAGS_KNOWN) != 0U) {
		goto exit;
	}
	if ((flags & VBE_SCMI_CLOCK_SET_ASYNC) != 0U) {
		rc = vbe_scmi_async_check(m);
		if (rc != 0) {
			goto exit;
		}
	}
	rc = clock_round(&m->srv->cfg->clocks[clk], want, flags, &rate);
	if (rc != 0) {
		goto exit;
	}
	clock_event(m, st->notify_req & ~SCMI_AGENT_BIT(m->agent), (uint16_t)clk,
		    VBE_SCMI_CLOCK_RATE_CHANGE_REQUESTED, rate);
	rc = vbe_plat_clock_set_rate(m->srv->plat, m->srv->cfg->clocks[clk].plat_id, rate);
	if (rc != 0) {
		goto exit;
	}
	clock_event(m, st->notify_rate, (uint16_t)clk, VBE_SCMI_CLOCK_RATE_CHANGED, rate);
	if ((flags & VBE_SCMI_CLOCK_SET_ASYNC) != 0U &&
	    (flags & VBE_SCMI_CLOCK_SET_IGNORE_DELAYED) == 0U) {
		/* CLOCK_RATE_SET_COMPLETE (4.6.3.1): clock_id, rate_low, rate_high */
		uint32_t done[3] = { id, (uint32_t)rate, (uint32_t)(rate >> 32) };

		vbe_scmi_delayed(m, done, 3);
	}
exit:
	return rc;
}

int vbe_scmi_clock_rate_get(struct vbe_scmi_msg *m)
{
	int clk = vbe_scmi_lookup(m, offsetof(struct scmi_u32, v), 0);
	uint64_t rate = 0;
	int rc = clk;

	if (clk < 0) {
		goto exit;
	}
	rc = vbe_plat_clock_get_rate(m->srv->plat, m->srv->cfg->clocks[clk].plat_id, &rate);
	if (rc != 0) {
		goto exit;
	}
	clock_put_rate(m->p2a, rate);
	m->p2a_len = sizeof(struct scmi_clock_rate_p2a);
exit:
	return rc;
}
