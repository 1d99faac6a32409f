/* SPDX-License-Identifier: Apache-2.0 */
/*
 * vbe_memtab: a guest memory table (vhost-user SET_MEM_TABLE), and the translate-and-check
 * callback that lets vbe_vq walk rings whose descriptors carry guest physical addresses.
 *
 * Each region maps [gpa, gpa + size) and [uaddr, uaddr + size) (the front-end's virtual
 * addresses, used by vhost-user for the ring parts) onto host memory at @c host. Lookups
 * are overflow-safe and refuse any range that is not inside one region: a buffer crossing
 * from one region into the next is refused even when the two are adjacent. No heap: the
 * table is a fixed array in caller-owned storage. See docs/vhost-user.md.
 */

#ifndef VBE_MEMTAB_H
#define VBE_MEMTAB_H

#include <stdbool.h>
#include <stdint.h>

#include <vbe/vq.h>

/** Regions per table: vhost-user's baseline (VHOST_MEMORY_BASELINE_NREGIONS). */
#ifndef VBE_MEMTAB_MAX_REGIONS
#define VBE_MEMTAB_MAX_REGIONS 8
#endif

struct vbe_memtab_region {
	uint64_t gpa;   /* guest physical address of the first byte */
	uint64_t size;  /* bytes, > 0 */
	uint64_t uaddr; /* the front-end's virtual address of the first byte */
	uint8_t *host;  /* where the region is mapped here */
};

struct vbe_memtab {
	struct vbe_memtab_region region[VBE_MEMTAB_MAX_REGIONS];
	uint8_t count;
};

/** @brief Empty the table. */
void vbe_memtab_clear(struct vbe_memtab *t);

/**
 * @brief Add a region.
 *
 * @retval 0 added.
 * @retval -EINVAL size 0, NULL host, or a range that wraps (gpa, uaddr or host pointer).
 * @retval -EEXIST it overlaps a region already in the table (guest or user addresses).
 * @retval -ENOSPC the table holds VBE_MEMTAB_MAX_REGIONS regions already.
 */
int vbe_memtab_add(struct vbe_memtab *t, uint64_t gpa, uint64_t size, uint64_t uaddr,
		   void *host);

/**
 * @brief Host pointer to [uaddr, uaddr + len) (front-end virtual addresses), or NULL unless
 * the whole range lies in one region.
 */
void *vbe_memtab_uaddr(const struct vbe_memtab *t, uint64_t uaddr, uint64_t len);

/**
 * @brief A vbe_vq memory accessor over this table (guest physical addresses).
 *
 * The table must outlive every queue set up with @p mem; changing the table changes what
 * those queues can reach at once.
 */
void vbe_memtab_vq_mem(struct vbe_memtab *t, struct vbe_vq_mem *mem);

/* ---- guest RAM mapped on first use ---------------------------------------------------- */

/** Frames of a lazily mapped region: 4 KiB. */
#define VBE_MEMTAB_FRAME_SHIFT 12

/**
 * @brief Map frames [@p first, @p first + @p count) of the region in place, at host +
 * (frame << VBE_MEMTAB_FRAME_SHIFT): the port's foreign mapping (a Xen Dom0 maps a DomU's
 * RAM this way). None of them is mapped yet. @return 0, or a negative errno (nothing the
 * call mapped stays mapped).
 */
typedef int (*vbe_memtab_map_fn)(void *ctx, uint64_t first, uint64_t count);

/**
 * One guest RAM region whose frames are mapped when a ring or buffer first reaches them:
 * the port reserves address space for the whole region at @c host and maps nothing; the
 * translate callback (vbe_memtab_lazy_vq_mem()) checks each range against the region, then
 * asks the port to map the frames under it that are not mapped yet, in runs. Mapping a
 * whole DomU's RAM at start costs seconds per 128 MiB; a driver's rings and buffers are a
 * few dozen frames. No heap: the bitmap is the caller's.
 */
struct vbe_memtab_lazy {
	struct vbe_memtab tab; /* the one region, for the range checks */
	uint64_t *map;         /* bit per frame: mapped (caller's storage) */
	uint64_t frames;       /* frames in the region */
	uint32_t mapped;       /* frames mapped */
	uint32_t map_calls;    /* map calls that mapped them */
	uint32_t batch;        /* most frames per map call (0: any) */
	vbe_memtab_map_fn map_fn;
	void *ctx;
};

/**
 * @brief Set up @p l over [gpa, gpa + size) reserved at @p host, nothing mapped.
 *
 * @param map bitmap storage, @p map_words 64-bit words (one bit per frame of @p size).
 * @retval 0 done. @retval -EINVAL @p size or @p gpa not whole frames, no @p map_fn, a
 *         bitmap too small, or a region vbe_memtab_add() refuses.
 */
int vbe_memtab_lazy_init(struct vbe_memtab_lazy *l, uint64_t gpa, uint64_t size, void *host,
			 uint64_t *map, uint64_t map_words, uint32_t batch, vbe_memtab_map_fn map_fn,
			 void *ctx);

/** @brief Is frame @p frame (from the region's start) mapped? */
bool vbe_memtab_lazy_mapped(const struct vbe_memtab_lazy *l, uint64_t frame);

/** @brief Forget every mapping (the port has unmapped them): the next access maps again. */
void vbe_memtab_lazy_forget(struct vbe_memtab_lazy *l);

/**
 * @brief A vbe_vq memory accessor over @p l: the region's checks, then the frames under the
 * range mapped if they are not yet (a failed mapping refuses the range).
 */
void vbe_memtab_lazy_vq_mem(struct vbe_memtab_lazy *l, struct vbe_vq_mem *mem);

#endif /* VBE_MEMTAB_H */
