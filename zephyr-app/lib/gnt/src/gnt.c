/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Grant addresses as vbe_vq memory: decode, check, map per use, unmap on release.
 * See vbe/gnt.h and docs/xen.md ("Grants").
 */

#include <errno.h>
#include <stddef.h>
#include <string.h>

#include <vbe/gnt.h>
#include <vbe/port.h>

_Static_assert(VBE_GNT_MAP_PAGES_MAX >= 1U && VBE_GNT_MAP_PAGES_MAX <= 1024U,
	       "a mapping spans 1..1024 pages");

#define GNT_OFFSET_MASK ((uint64_t)VBE_GNT_PAGE_SIZE - 1U)

int vbe_gnt_init(struct vbe_gnt *g, const struct vbe_gnt_ops *ops, void *ctx)
{
	if (g == NULL || ops == NULL || ops->map == NULL || ops->unmap == NULL) {
		return -EINVAL;
	}
	memset(g, 0, sizeof(*g));
	g->ops = ops;
	g->ctx = ctx;
	return 0;
}

const char *vbe_gnt_refusal_str(enum vbe_gnt_refusal r)
{
	switch (r) {
	case VBE_GNT_NOT_GRANT:
		return "not a grant address (bit 63 clear)";
	case VBE_GNT_BAD_REF:
		return "grant reference out of range";
	case VBE_GNT_TOO_LONG:
		return "range spans too many pages";
	case VBE_GNT_MAP_FAILED:
		return "grant not mapped (not granted to this domain, or read-only)";
	default:
		return "unknown";
	}
}

/*
 * Pages of [off, off + len) with off < 4096: a zero-length buffer still names its page, so
 * it counts as one byte there. No overflow: off + len < 2^33.
 */
static uint32_t gnt_pages(uint64_t off, uint32_t len)
{
	uint64_t end = off + (len == 0U ? 1U : len);

	return (uint32_t)((end + GNT_OFFSET_MASK) >> VBE_GNT_PAGE_SHIFT);
}

static void *gnt_refuse(struct vbe_gnt *g, enum vbe_gnt_refusal why, uint64_t addr)
{
	g->stats.refused[why]++;
	VBE_LOG(VBE_LOG_DBG, "gnt: 0x%llx refused: %s", (unsigned long long)addr,
		vbe_gnt_refusal_str(why));
	return NULL;
}

static void *gnt_xlate(void *ctx, uint64_t addr, uint32_t len, bool write)
{
	struct vbe_gnt *g = ctx;
	uint64_t first;
	uint64_t off;
	uint32_t count;
	uint8_t *pages;

	/* Linux sets bit 63 on every grant DMA address: without it, a guest address */
	if ((addr & VBE_GNT_ADDR_FLAG) == 0U) {
		return gnt_refuse(g, VBE_GNT_NOT_GRANT, addr);
	}
	first = (addr & ~VBE_GNT_ADDR_FLAG) >> VBE_GNT_PAGE_SHIFT;
	off = addr & GNT_OFFSET_MASK;
	count = gnt_pages(off, len);
	if (count > VBE_GNT_MAP_PAGES_MAX) {
		return gnt_refuse(g, VBE_GNT_TOO_LONG, addr);
	}
	/* grant_ref_t is 32 bits: the range's last reference too */
	if (first + count - 1U > UINT32_MAX) {
		return gnt_refuse(g, VBE_GNT_BAD_REF, addr);
	}
	pages = g->ops->map(g->ctx, (uint32_t)first, count, write);
	if (pages == NULL) {
		return gnt_refuse(g, VBE_GNT_MAP_FAILED, addr);
	}
	if (((uintptr_t)pages & GNT_OFFSET_MASK) != 0U) {
		/* release finds the pages from the pointer: the port must map page-aligned */
		g->ops->unmap(g->ctx, pages, count);
		return gnt_refuse(g, VBE_GNT_MAP_FAILED, addr);
	}
	g->stats.maps++;
	g->stats.pages += count;
	g->stats.live++;
	if (g->stats.live > g->stats.live_max) {
		g->stats.live_max = g->stats.live;
	}
	g->stats.live_pages += count;
	if (g->stats.live_pages > g->stats.live_pages_max) {
		g->stats.live_pages_max = g->stats.live_pages;
	}
	return pages + off;
}

static void gnt_release(void *ctx, void *ptr, uint32_t len)
{
	struct vbe_gnt *g = ctx;
	uintptr_t p = (uintptr_t)ptr;
	uint64_t off = p & GNT_OFFSET_MASK;
	uint32_t count = gnt_pages(off, len);

	g->ops->unmap(g->ctx, (void *)(p - (uintptr_t)off), count);
	g->stats.unmaps++;
	if (g->stats.live > 0U) {
		g->stats.live--;
	}
	g->stats.live_pages -= (count <= g->stats.live_pages) ? count : g->stats.live_pages;
}

void vbe_gnt_vq_mem(struct vbe_gnt *g, struct vbe_vq_mem *mem)
{
	mem->xlate = gnt_xlate;
	mem->release = gnt_release;
	mem->ctx = g;
}
