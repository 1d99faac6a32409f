/* SPDX-License-Identifier: Apache-2.0 */
/*
 * vbe_gnt: guest memory as Xen grant references, mapped per use.
 *
 * A Xen guest whose virtio device has Linux's grant DMA ops (CONFIG_XEN_VIRTIO and an
 * `iommus` link to a "xen,grant-dma" node naming the backend's domain) never hands out a
 * guest-physical address: every DMA address it writes into a ring register or a descriptor
 * is a grant address, bit 63 set, the grant reference in bits 12..43 and the offset in its
 * 4 KiB page in bits 0..11; a range of n pages is n consecutive references. The guest grants
 * a buffer when it maps it for DMA and ends the grant when it unmaps it, which fails while
 * the backend still maps the page. So the device maps what it is about to use and unmaps it
 * before it hands it back (vbe_vq_mem.release): rings until the device resets, buffers
 * until their request completes, indirect tables until their walk ends.
 *
 * This is the portable part: decoding and checking grant addresses, counting, the vbe_vq
 * memory callbacks. The port maps and unmaps (libxengnttab in vbe-xen, GNTTABOP_map_grant_ref
 * in a bare-metal Dom0, a grant table a test plays). No Xen header. See docs/xen.md.
 */

#ifndef VBE_GNT_H
#define VBE_GNT_H

#include <stdbool.h>
#include <stdint.h>

#include <vbe/vq.h>

/* A grant DMA address (Linux drivers/xen/grant-dma-ops.c: XEN_GRANT_DMA_ADDR_OFF) */
#define VBE_GNT_ADDR_FLAG (1ULL << 63)
#define VBE_GNT_PAGE_SHIFT 12
#define VBE_GNT_PAGE_SIZE 4096U

/** Most pages one mapping may span (a ring part or a buffer); longer ones are refused. */
#ifndef VBE_GNT_MAP_PAGES_MAX
#define VBE_GNT_MAP_PAGES_MAX 32U
#endif

/** What the port does with Xen. */
struct vbe_gnt_ops {
	/**
	 * Map grant references [@p first, @p first + @p count) of the guest, read-only unless
	 * @p write, into contiguous memory that starts on a 4 KiB boundary. NULL when any of them
	 * is not granted to us (or granted read-only and @p write is set): Xen refuses the map.
	 */
	void *(*map)(void *ctx, uint32_t first, uint32_t count, bool write);
	/** Unmap @p count pages that map() returned at @p pages. */
	void (*unmap)(void *ctx, void *pages, uint32_t count);
};

/** Why an address was refused (struct vbe_gnt_stats.refused[]). */
enum vbe_gnt_refusal {
	VBE_GNT_NOT_GRANT = 0, /* bit 63 clear: a guest-physical address, which we never map */
	VBE_GNT_BAD_REF = 1,   /* reference bits past 32, or the range runs past reference 2^32-1 */
	VBE_GNT_TOO_LONG = 2,  /* more than VBE_GNT_MAP_PAGES_MAX pages, or length overflow */
	VBE_GNT_MAP_FAILED = 3, /* the port could not map it: not granted to us, or read-only */
	VBE_GNT_REFUSAL_COUNT,
};

/** Counters since vbe_gnt_init(). */
struct vbe_gnt_stats {
	uint32_t maps;     /* successful map() calls */
	uint32_t unmaps;   /* unmap() calls */
	uint32_t pages;    /* pages mapped, in all */
	uint32_t live;     /* mappings held now (maps - unmaps) */
	uint32_t live_max; /* the most held at once */
	uint32_t live_pages;     /* pages those mappings span now */
	uint32_t live_pages_max; /* the most at once: what the domain costs the backend */
	uint32_t refused[VBE_GNT_REFUSAL_COUNT];
};

/** One guest domain's grants, as one device or several see them. */
struct vbe_gnt {
	const struct vbe_gnt_ops *ops;
	void *ctx;
	struct vbe_gnt_stats stats;
};

/**
 * @brief Set up a grant mapper.
 * @retval 0 done (counters zero).
 * @retval -EINVAL NULL @p g, @p ops, or a NULL map or unmap op.
 */
int vbe_gnt_init(struct vbe_gnt *g, const struct vbe_gnt_ops *ops, void *ctx);

/**
 * @brief The vbe_vq memory callbacks over @p g: xlate maps the pages of [addr, addr + len)
 * (a zero-length buffer maps its one page, so it too must be granted) and release unmaps
 * them. @p g must outlive every device given @p mem.
 */
void vbe_gnt_vq_mem(struct vbe_gnt *g, struct vbe_vq_mem *mem);

/** @brief Name of a refusal class, for logs. Never NULL. */
const char *vbe_gnt_refusal_str(enum vbe_gnt_refusal r);

#endif /* VBE_GNT_H */
