/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Grant mappings: the port operations of the core's vbe_gnt (vbe/gnt.h) with
 * GNTTABOP_map_grant_ref / GNTTABOP_unmap_grant_ref.
 *
 * On Arm an auto-translated caller names the guest frame of its own where Xen inserts the
 * granted frame (GNTMAP_host_map; GNTMAP_readonly makes it a read-only stage-2 entry), so a
 * run of references needs a run of free frames of ours. They come from a window of the
 * extended regions reserved at the first grant domain's start (XD_GNT_WINDOW_PAGES frames,
 * xd_gpa_alloc), handed out first-fit by a bitmap: no heap, and a full window is a map
 * that fails (counted by vbe_gnt as VBE_GNT_MAP_FAILED), not a crash. The identity map
 * (mmu.c) already covers the window as Normal write-back memory, so a mapped frame is usable
 * at its guest physical address at once; Xen flushes its stage-2 TLB entries itself.
 *
 * A run of count references is one hypercall with count operations, mapping and unmapping
 * alike: what a request costs is two hypercalls per buffer, whatever its length. Each
 * frame's handle is kept in its slot for the unmap; the owner of each slot, so that a
 * domain that goes can have what is still mapped of it taken back.
 */

#include <errno.h>
#include <stdbool.h>
#include <stdint.h>

#include <vbe/gnt.h>
#include <vbe/port.h>

#include "bm.h"
#include "xd.h"
#include "xen_abi.h"

#define WORDS ((XD_GNT_WINDOW_PAGES + 63U) / 64U)
#define LOG_LIMIT 8U /* failures logged per domain and kind; the counters keep the rest */

_Static_assert(XD_GNT_WINDOW_PAGES > 0U && XD_GNT_WINDOW_PAGES <= 0x10000U, "window size");

static uint64_t gnt_base;               /* the window's first guest physical address; 0: none */
static uint64_t gnt_used[WORDS];        /* bit per slot: mapped (or being mapped) */
static uint32_t gnt_handle[XD_GNT_WINDOW_PAGES];
static uint16_t gnt_owner[XD_GNT_WINDOW_PAGES]; /* the granting domid, per used slot */

/* One hypercall's operations: the core asks for at most VBE_GNT_MAP_PAGES_MAX pages. */
static struct xd_gnttab_map gnt_map_op[VBE_GNT_MAP_PAGES_MAX];
static struct xd_gnttab_unmap gnt_unmap_op[VBE_GNT_MAP_PAGES_MAX];

int xd_gnt_init(void)
{
	if (gnt_base != 0U) {
		return 0;
	}
	gnt_base = xd_gpa_alloc((uint64_t)XD_GNT_WINDOW_PAGES << XD_PAGE_SHIFT, XD_PAGE_SIZE);
	if (gnt_base == 0U) {
		VBE_LOG(VBE_LOG_ERR, "no extended region has %u KiB left for grant mappings",
			XD_GNT_WINDOW_PAGES * 4U);
		return -ENOMEM;
	}
	/* the last word's bits past the window: never free */
	for (unsigned int i = XD_GNT_WINDOW_PAGES; i < WORDS * 64U; i++) {
		gnt_used[i / 64U] |= 1ULL << (i % 64U);
	}
	return 0;
}

uint64_t xd_gnt_window(unsigned int *pages)
{
	*pages = XD_GNT_WINDOW_PAGES;
	return gnt_base;
}

static bool slot_used(unsigned int i)
{
	return (gnt_used[i / 64U] >> (i % 64U) & 1U) != 0U;
}

static void slots_set(unsigned int first, unsigned int n, bool used)
{
	for (unsigned int i = first; i < first + n; i++) {
		if (used) {
			gnt_used[i / 64U] |= 1ULL << (i % 64U);
		} else {
			gnt_used[i / 64U] &= ~(1ULL << (i % 64U));
		}
	}
}

/* First fit: the first run of @p n free slots, or -1. */
static int slots_find(unsigned int n)
{
	unsigned int run = 0U;

	for (unsigned int i = 0U; i < XD_GNT_WINDOW_PAGES; i++) {
		if (gnt_used[i / 64U] == UINT64_MAX) {
			run = 0U;
			i |= 63U; /* a full word: on to the next */
			continue;
		}
		run = slot_used(i) ? 0U : run + 1U;
		if (run == n) {
			return (int)(i + 1U - n);
		}
	}
	return -1;
}

static uint64_t slot_gpa(unsigned int i)
{
	return gnt_base + ((uint64_t)i << XD_PAGE_SHIFT);
}

/* Unmap slots [first, first + n) that are mapped, one hypercall; every slot is freed. */
static int slots_unmap(struct xd_dom *d, unsigned int first, unsigned int n)
{
	long rc;
	int bad = 0;

	for (unsigned int i = 0U; i < n; i++) {
		gnt_unmap_op[i] = (struct xd_gnttab_unmap){
			.host_addr = slot_gpa(first + i),
			.handle = gnt_handle[first + i],
		};
	}
	rc = xd_hypercall(XD_HC_GRANT_TABLE_OP, XD_GNTTABOP_UNMAP_GRANT_REF,
			  (uintptr_t)gnt_unmap_op, n, 0, 0);
	for (unsigned int i = 0U; i < n; i++) {
		if (rc == 0 && gnt_unmap_op[i].status != XD_GNTST_OKAY && bad == 0) {
			bad = gnt_unmap_op[i].status;
		}
	}
	slots_set(first, n, false);
	if (rc != 0 || bad != 0) {
		d->gnt_unmap_failed++;
		if (d->gnt_unmap_failed <= LOG_LIMIT) {
			VBE_LOG(VBE_LOG_ERR, "dom %u: unmapping %u grant pages at %#llx: %ld, "
				"GNTST %d", d->cfg->domid, n, (unsigned long long)slot_gpa(first), rc,
				bad);
		}
		return rc != 0 ? (int)rc : -EIO;
	}
	return 0;
}

static void *xd_gnt_map(void *ctx, uint32_t first, uint32_t count, bool write)
{
	struct xd_dom *d = ctx;
	uint64_t t0 = bm_timer_ticks();
	int slot;
	long rc;
	unsigned int ok = 0U;
	int bad = 0;
	void *pages = NULL;

	if (count == 0U || count > VBE_GNT_MAP_PAGES_MAX || gnt_base == 0U) {
		goto out;
	}
	slot = count <= XD_GNT_WINDOW_PAGES ? slots_find(count) : -1;
	if (slot < 0) {
		d->gnt_window_full++;
		if (d->gnt_window_full <= LOG_LIMIT) {
			VBE_LOG(VBE_LOG_WRN, "dom %u: grant %u+%u: no %u free pages in the grant "
				"window (%u pages)", d->cfg->domid, first, count, count,
				XD_GNT_WINDOW_PAGES);
		}
		goto out;
	}
	slots_set((unsigned int)slot, count, true);
	for (uint32_t i = 0U; i < count; i++) {
		gnt_map_op[i] = (struct xd_gnttab_map){
			.host_addr = slot_gpa((unsigned int)slot + i),
			.flags = XD_GNTMAP_HOST_MAP | (write ? 0U : XD_GNTMAP_READONLY),
			.ref = first + i,
			.dom = d->cfg->domid,
		};
	}
	rc = xd_hypercall(XD_HC_GRANT_TABLE_OP, XD_GNTTABOP_MAP_GRANT_REF, (uintptr_t)gnt_map_op,
			  count, 0, 0);
	for (uint32_t i = 0U; i < count; i++) {
		unsigned int s = (unsigned int)slot + i;

		if (rc == 0 && gnt_map_op[i].status == XD_GNTST_OKAY) {
			gnt_handle[s] = gnt_map_op[i].handle;
			gnt_owner[s] = d->cfg->domid;
			ok++;
		} else if (bad == 0) {
			bad = rc != 0 ? 0 : gnt_map_op[i].status;
		}
	}
	if (rc == 0 && ok == count) {
		pages = (void *)(uintptr_t)slot_gpa((unsigned int)slot);
		goto out;
	}
	/* Some or none mapped: give back those that were, in one call. */
	for (uint32_t i = 0U; i < count; i++) {
		unsigned int s = (unsigned int)slot + i;

		if (rc == 0 && gnt_map_op[i].status == XD_GNTST_OKAY) {
			(void)slots_unmap(d, s, 1U);
		} else {
			slots_set(s, 1U, false);
		}
	}
	d->gnt_map_failed++;
	if (d->gnt_map_failed <= LOG_LIMIT) {
		VBE_LOG(VBE_LOG_WRN, "dom %u: grant %u+%u (%s) not mapped: %ld, GNTST %d",
			d->cfg->domid, first, count, write ? "rw" : "ro", rc, bad);
	}
out:
	d->gnt_map_ticks += bm_timer_ticks() - t0;
	return pages;
}

static void xd_gnt_unmap(void *ctx, void *pages, uint32_t count)
{
	struct xd_dom *d = ctx;
	uint64_t t0 = bm_timer_ticks();
	uint64_t at = (uintptr_t)pages;

	if (at < gnt_base || count == 0U || count > XD_GNT_WINDOW_PAGES ||
	    ((at - gnt_base) >> XD_PAGE_SHIFT) > XD_GNT_WINDOW_PAGES - count) {
		VBE_LOG(VBE_LOG_ERR, "dom %u: unmap of %u pages at %p: not in the grant window",
			d->cfg->domid, count, pages);
		return;
	}
	(void)slots_unmap(d, (unsigned int)((at - gnt_base) >> XD_PAGE_SHIFT), count);
	d->gnt_unmap_ticks += bm_timer_ticks() - t0;
}

const struct vbe_gnt_ops xd_gnt_ops = {
	.map = xd_gnt_map,
	.unmap = xd_gnt_unmap,
};

unsigned int xd_gnt_release(struct xd_dom *d)
{
	unsigned int n = 0U;

	for (unsigned int i = 0U; gnt_base != 0U && i < XD_GNT_WINDOW_PAGES; i++) {
		if (slot_used(i) && gnt_owner[i] == d->cfg->domid) {
			(void)slots_unmap(d, i, 1U);
			n++;
		}
	}
	return n;
}

uint64_t xd_ticks_to_ns(uint64_t ticks)
{
	uint64_t f = bm_timer_freq();

	/* split so that ticks * 10^9 cannot overflow */
	return (ticks / f) * 1000000000ULL + ((ticks % f) * 1000000000ULL) / f;
}
