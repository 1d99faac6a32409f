/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Driver-side split ring for the fuzz targets (see drv.h). Layout as virtio 1.2, 2.7: a
 * descriptor table, the avail ring (with used_event), the used ring (with avail_event).
 */

#include <string.h>

#include <vbe/shmem.h>
#include <vbe/virtio.h>

#include "drv.h"
#include "fuzz.h"

static void *fz_xlate(void *ctx, uint64_t addr, uint32_t len, bool write)
{
	struct fz_mem *m = ctx;

	(void)write;
	if (addr > m->data_size || len > m->data_size - addr) {
		return NULL;
	}
	return m->data + addr;
}

void fz_mem_init(struct fz_mem *m, uint8_t *data, uint32_t size)
{
	m->data = data;
	m->data_size = size;
	m->data_next = 0U;
	m->vq_mem.xlate = fz_xlate;
	m->vq_mem.ctx = m;
}

void fz_mem_reset(struct fz_mem *m)
{
	m->data_next = 0U;
}

uint8_t *fz_mem_alloc(struct fz_mem *m, uint32_t len, uint32_t *off)
{
	uint32_t at = (m->data_next + 15U) & ~15U;

	if (at > m->data_size || len > m->data_size - at) {
		return NULL;
	}
	m->data_next = at + len;
	*off = at;
	return m->data + at;
}

uint32_t fz_ring_bytes(uint16_t size)
{
	/* desc (16 n), avail (6 + 2 n) padded to 4, used (6 + 8 n) */
	return 16U * size + ((6U + 2U * size + 3U) & ~3U) + 6U + 8U * size;
}

int fz_ring_init(struct fz_ring *r, uint8_t *ring, uint16_t size, struct vbe_vq *vq,
		 struct fz_mem *m, uint64_t features)
{
	memset(r, 0, sizeof(*r));
	memset(ring, 0, fz_ring_bytes(size));
	r->size = size;
	r->free = size;
	r->desc = ring;
	r->avail = ring + 16U * size;
	r->used = r->avail + ((6U + 2U * size + 3U) & ~3U);
	return vbe_vq_init(vq, size, r->desc, r->avail, r->used, &m->vq_mem, features);
}

static void fz_desc(uint8_t *d, uint64_t addr, uint32_t len, uint16_t flags, uint16_t next)
{
	vbe_st64(d, addr);
	vbe_st32(d + 8, len);
	vbe_st16(d + 12, flags);
	vbe_st16(d + 14, next);
}

int fz_ring_add(struct fz_ring *r, struct fz_mem *m, const struct fz_buf *bufs, unsigned int n,
		bool indirect)
{
	uint16_t head = r->next_desc;
	uint16_t need = indirect ? 1U : (uint16_t)n;
	uint8_t *table = r->desc;
	uint32_t table_off = 0U;
	uint16_t first = head;

	if (n == 0U || n > FZ_RING_MAX || need > r->free || r->inflight >= r->size) {
		return -1;
	}
	if (indirect) {
		table = fz_mem_alloc(m, 16U * n, &table_off);
		if (table == NULL) {
			return -1;
		}
		first = 0U;
	}
	for (unsigned int i = 0U; i < n; i++) {
		uint16_t slot = indirect ? (uint16_t)i : (uint16_t)((first + i) & (r->size - 1U));
		uint16_t next = indirect ? (uint16_t)(i + 1U)
					 : (uint16_t)((first + i + 1U) & (r->size - 1U));
		uint16_t flags = (i + 1U < n ? VBE_VRING_DESC_F_NEXT : 0U) |
				 (bufs[i].write ? VBE_VRING_DESC_F_WRITE : 0U);

		fz_desc(table + 16U * slot, bufs[i].off, bufs[i].len, flags, next);
	}
	if (indirect) {
		fz_desc(r->desc + 16U * head, table_off, 16U * n, VBE_VRING_DESC_F_INDIRECT, 0U);
	}
	r->next_desc = (uint16_t)((head + need) & (r->size - 1U));
	r->free = (uint16_t)(r->free - need);
	r->ndesc[head] = (uint8_t)need;
	r->posted[head] = true;
	r->order[(r->last_used + r->inflight) & (r->size - 1U)] = head;
	r->inflight++;
	vbe_st16(r->avail + 4U + 2U * (r->avail_idx & (r->size - 1U)), head);
	r->avail_idx++;
	vbe_st16(r->avail + 2U, r->avail_idx);
	return head;
}

bool fz_ring_used(struct fz_ring *r, uint16_t *head, uint32_t *len)
{
	uint16_t idx = vbe_ld16(r->used + 2U);
	const uint8_t *e;
	uint32_t id;

	if (idx == r->last_used) {
		return false;
	}
	FZ_CHECK((uint16_t)(idx - r->last_used) <= r->inflight, "used index past the chains posted");
	e = r->used + 4U + 8U * (r->last_used & (r->size - 1U));
	id = vbe_ld32(e);
	FZ_CHECK(id < r->size && r->posted[id], "completion for a chain not in flight");
	FZ_CHECK(id == r->order[r->last_used & (r->size - 1U)], "completion out of order");
	r->posted[id] = false;
	r->free = (uint16_t)(r->free + r->ndesc[id]);
	r->inflight--;
	r->last_used++;
	*head = (uint16_t)id;
	*len = vbe_ld32(e + 4);
	return true;
}
