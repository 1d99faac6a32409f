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

#endif /* VBE_MEMTAB_H */
