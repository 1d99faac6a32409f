/* SPDX-License-Identifier: Apache-2.0 */
/*
 * A driver-side split ring in C, for fuzz targets that feed a backend well-formed rings
 * with fuzzed contents (SCMI messages, I2C requests) at C speed. The walker's own checks are
 * fuzzed with raw ring bytes by the transport targets (fvq, vhu); pyhost's ring
 * (pyhost/virtio/ring.py) stays the one driver the Python tests and the seed generator use.
 *
 * Descriptors and buffers are handed out in order and come back in order: the backends
 * fuzzed with it complete chains in the order they take them, and a completion out of
 * order, twice, or for a chain never posted is a finding (fz_ring_used checks).
 */

#ifndef VBE_FUZZ_COMMON_DRV_H
#define VBE_FUZZ_COMMON_DRV_H

#include <stdbool.h>
#include <stdint.h>

#include <vbe/vq.h>

#define FZ_RING_MAX 64

/** One buffer of a chain: device memory address (an offset in the data region) and length. */
struct fz_buf {
	uint32_t off;
	uint32_t len;
	bool write;
};

/** Guest memory for one device: rings and a data region, all under guard pages. */
struct fz_mem {
	uint8_t *data;      /* descriptor addresses are offsets in here */
	uint32_t data_size;
	uint32_t data_next; /* bump allocator; fz_mem_reset() when nothing is in flight */
	struct vbe_vq_mem vq_mem;
};

struct fz_ring {
	uint8_t *desc;
	uint8_t *avail;
	uint8_t *used;
	uint16_t size;
	uint16_t avail_idx;
	uint16_t last_used;
	uint16_t next_desc;
	uint16_t free;
	uint16_t inflight;
	uint16_t order[FZ_RING_MAX]; /* heads in the order posted (a circular queue) */
	uint8_t ndesc[FZ_RING_MAX];  /* descriptors of the chain at each head */
	bool posted[FZ_RING_MAX];
	bool indirect[FZ_RING_MAX];
};

/** Set a region up (size bytes of guarded memory at @p data). */
void fz_mem_init(struct fz_mem *m, uint8_t *data, uint32_t size);

/** Room for @p len bytes, 16-byte aligned; NULL when the region is full. */
uint8_t *fz_mem_alloc(struct fz_mem *m, uint32_t len, uint32_t *off);

void fz_mem_reset(struct fz_mem *m);

/**
 * Lay a ring of @p size (power of two <= FZ_RING_MAX) out at @p ring (guarded memory, at
 * least fz_ring_bytes(size)) and set @p vq up on it (features as negotiated).
 */
int fz_ring_init(struct fz_ring *r, uint8_t *ring, uint16_t size, struct vbe_vq *vq,
		 struct fz_mem *m, uint64_t features);

uint32_t fz_ring_bytes(uint16_t size);

/**
 * Publish one chain of @p n buffers (in the order given), through an indirect table in the
 * data region when @p indirect. Returns the head, or -1 when the ring or region is full.
 */
int fz_ring_add(struct fz_ring *r, struct fz_mem *m, const struct fz_buf *bufs, unsigned int n,
		bool indirect);

/** Next used entry: true with its head and length; checks it names a chain in flight. */
bool fz_ring_used(struct fz_ring *r, uint16_t *head, uint32_t *len);

#endif /* VBE_FUZZ_COMMON_DRV_H */
