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
