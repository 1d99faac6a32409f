/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Guest memory table: region bookkeeping and overflow-safe translation. See vbe/memtab.h.
 */

#include <errno.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <vbe/memtab.h>

void vbe_memtab_clear(struct vbe_memtab *t)
{
	memset(t, 0, sizeof(*t));
}

/* Do [a, a_last] and [b, b_last] share a byte? (inclusive ends: no overflow) */
static bool ranges_overlap(uint64_t a, uint64_t a_last, uint64_t b, uint64_t b_last)
{
	return a <= b_last && b <= a_last;
}

int vbe_memtab_add(struct vbe_memtab *t, uint64_t gpa, uint64_t size, uint64_t uaddr,
		   void *host)
{
	struct vbe_memtab_region *r;

	if (t == NULL || host == NULL || size == 0U) {
		return -EINVAL;
	}
	if (size - 1U > UINT64_MAX - gpa) {
		return -EINVAL; /* guest range wraps */
	}
	if (size - 1U > UINT64_MAX - uaddr) {
		return -EINVAL; /* user range wraps */
	}
	if (size - 1U > (uint64_t)(UINTPTR_MAX - (uintptr_t)host)) {
		return -EINVAL; /* does not fit this address space */
	}
	for (uint8_t i = 0U; i < t->count; i++) {
		const struct vbe_memtab_region *o = &t->region[i];

		if (ranges_overlap(gpa, gpa + (size - 1U), o->gpa, o->gpa + (o->size - 1U)) ||
		    ranges_overlap(uaddr, uaddr + (size - 1U), o->uaddr,
				   o->uaddr + (o->size - 1U))) {
			return -EEXIST;
		}
	}
	if (t->count >= VBE_MEMTAB_MAX_REGIONS) {
		return -ENOSPC;
	}
	r = &t->region[t->count];
	r->gpa = gpa;
	r->size = size;
	r->uaddr = uaddr;
	r->host = host;
	t->count++;
	return 0;
}

static void *memtab_find(const struct vbe_memtab *t, uint64_t addr, uint64_t len, bool by_uaddr)
{
	if (t == NULL) {
		return NULL;
	}
	for (uint8_t i = 0U; i < t->count; i++) {
		const struct vbe_memtab_region *r = &t->region[i];
		uint64_t base = by_uaddr ? r->uaddr : r->gpa;
		uint64_t off;

		if (addr < base) {
			continue;
		}
		off = addr - base;
		/* off <= size, then len <= size - off: no addr + len is ever computed */
		if (off > r->size || len > r->size - off) {
			continue;
		}
		return r->host + off;
	}
	return NULL;
}

void *vbe_memtab_uaddr(const struct vbe_memtab *t, uint64_t uaddr, uint64_t len)
{
	return memtab_find(t, uaddr, len, true);
}

static void *memtab_xlate(void *ctx, uint64_t addr, uint32_t len, bool write)
{
	(void)write; /* every region is guest RAM: readable and writable */
	return memtab_find(ctx, addr, len, false);
}

void vbe_memtab_vq_mem(struct vbe_memtab *t, struct vbe_vq_mem *mem)
{
	mem->xlate = memtab_xlate;
	mem->release = NULL; /* the table stays mapped */
	mem->ctx = t;
}

/* ---- guest RAM mapped on first use ---------------------------------------------------- */

#define FRAME_SIZE (1ULL << VBE_MEMTAB_FRAME_SHIFT)

int vbe_memtab_lazy_init(struct vbe_memtab_lazy *l, uint64_t gpa, uint64_t size, void *host,
			 uint64_t *map, uint64_t map_words, uint32_t batch, vbe_memtab_map_fn map_fn,
			 void *ctx)
{
	uint64_t frames = size >> VBE_MEMTAB_FRAME_SHIFT;

	if (l == NULL || map == NULL || map_fn == NULL || (size % FRAME_SIZE) != 0U ||
	    (gpa % FRAME_SIZE) != 0U || map_words < (frames + 63U) / 64U) {
		return -EINVAL;
	}
	memset(l, 0, sizeof(*l));
	memset(map, 0, (size_t)((frames + 63U) / 64U) * sizeof(*map));
	l->map = map;
	l->frames = frames;
	l->batch = batch;
	l->map_fn = map_fn;
	l->ctx = ctx;
	return vbe_memtab_add(&l->tab, gpa, size, gpa, host);
}

bool vbe_memtab_lazy_mapped(const struct vbe_memtab_lazy *l, uint64_t frame)
{
	return frame < l->frames && (l->map[frame / 64U] & (1ULL << (frame % 64U))) != 0U;
}

void vbe_memtab_lazy_forget(struct vbe_memtab_lazy *l)
{
	memset(l->map, 0, (size_t)((l->frames + 63U) / 64U) * sizeof(*l->map));
	l->mapped = 0U;
}

/* Map the frames in [first, last] not mapped yet, a run of missing ones per call. */
static int lazy_map(struct vbe_memtab_lazy *l, uint64_t first, uint64_t last)
{
	for (uint64_t f = first; f <= last; f++) {
		uint64_t run = 0U;
		int rc;

		while (f + run <= last && (l->batch == 0U || run < l->batch) &&
		       !vbe_memtab_lazy_mapped(l, f + run)) {
			run++;
		}
		if (run == 0U) {
			continue;
		}
		rc = l->map_fn(l->ctx, f, run);
		l->map_calls++;
		if (rc != 0) {
			return rc;
		}
		for (uint64_t i = f; i < f + run; i++) {
			l->map[i / 64U] |= 1ULL << (i % 64U);
		}
		l->mapped += (uint32_t)run;
		f += run - 1U;
	}
	return 0;
}

static void *lazy_xlate(void *ctx, uint64_t addr, uint32_t len, bool write)
{
	struct vbe_memtab_lazy *l = ctx;
	uint8_t *p = memtab_find(&l->tab, addr, len, false);
	uint64_t off;

	(void)write; /* guest RAM: readable and writable */
	if (p == NULL || len == 0U) {
		return p;
	}
	off = addr - l->tab.region[0].gpa; /* inside the one region: no overflow */
	if (lazy_map(l, off >> VBE_MEMTAB_FRAME_SHIFT,
		     (off + len - 1U) >> VBE_MEMTAB_FRAME_SHIFT) != 0) {
		return NULL;
	}
	return p;
}

void vbe_memtab_lazy_vq_mem(struct vbe_memtab_lazy *l, struct vbe_vq_mem *mem)
{
	mem->xlate = lazy_xlate;
	mem->ctx = l;
}
