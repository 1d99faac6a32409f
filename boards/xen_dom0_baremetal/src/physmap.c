/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Dom0's own guest physical space: where the pages it maps go.
 *
 * Dom0 is direct-mapped on Arm (guest physical == machine address), and mapping a page at a
 * frame that holds Dom0 RAM silently replaces that RAM. The devicetree's extended regions
 * (/hypervisor reg[1..]) are the space Xen leaves free for such mappings; a bump allocator
 * hands out page ranges from them (below the identity map's limit, mmu.c). Nothing is given
 * back: a DomU's ranges stay reserved after it is gone, and dom0less DomUs do not come back.
 *
 * Mappings: DomU frames (XENMEM_add_to_physmap_batch, XENMAPSPACE_gmfn_foreign), an IOREQ
 * server's page (XENMEM_acquire_resource: an auto-translated caller names the frames where
 * the resource's pages are to appear), removal (XENMEM_remove_from_physmap).
 */

#include <errno.h>
#include <stdbool.h>
#include <stdint.h>

#include "xd.h"
#include "xen_abi.h"

#define BATCH 256U /* frames per add_to_physmap_batch call */

struct gpa_region {
	uint64_t next;
	uint64_t end;
};

static struct gpa_region gpa_regions[XD_MAX_REGIONS];
static unsigned int gpa_count;

static uint64_t batch_idx[BATCH];
static uint64_t batch_gpfn[BATCH];
static int32_t batch_err[BATCH];

unsigned int xd_gpa_init(const struct xd_boot_info *bi)
{
	const uint64_t limit = 1ULL << XD_VA_BITS;

	gpa_count = 0U;
	for (unsigned int i = 0U; i < bi->ext_count; i++) {
		uint64_t base = (bi->ext[i].base + XD_PAGE_SIZE - 1U) & ~(uint64_t)(XD_PAGE_SIZE - 1U);
		uint64_t end = bi->ext[i].base + bi->ext[i].size;

		if (end < bi->ext[i].base || end > limit) {
			end = limit; /* beyond what the identity map reaches */
		}
		end &= ~(uint64_t)(XD_PAGE_SIZE - 1U);
		if (base < end) {
			gpa_regions[gpa_count].next = base;
			gpa_regions[gpa_count].end = end;
			gpa_count++;
		}
	}
	return gpa_count;
}

uint64_t xd_gpa_alloc(uint64_t size, uint64_t align)
{
	size = (size + XD_PAGE_SIZE - 1U) & ~(uint64_t)(XD_PAGE_SIZE - 1U);
	if (align < XD_PAGE_SIZE) {
		align = XD_PAGE_SIZE;
	}
	for (unsigned int i = 0U; i < gpa_count; i++) {
		struct gpa_region *r = &gpa_regions[i];
		uint64_t base = (r->next + align - 1U) & ~(align - 1U);

		if (base >= r->next && base <= r->end && r->end - base >= size) {
			r->next = base + size;
			return base;
		}
	}
	return 0U;
}

int xd_map_foreign(uint16_t domid, uint64_t gfn, uint64_t frames, uint64_t gpa)
{
	for (uint64_t done = 0U; done < frames;) {
		uint16_t n = (uint16_t)(frames - done < BATCH ? frames - done : BATCH);
		struct xd_add_to_physmap_batch b = {
			.domid = XD_DOMID_SELF,
			.space = XD_XENMAPSPACE_GMFN_FOREIGN,
			.size = n,
			.foreign_domid = domid,
			.idxs = (uintptr_t)batch_idx,
			.gpfns = (uintptr_t)batch_gpfn,
			.errs = (uintptr_t)batch_err,
		};
		long rc;

		for (uint16_t i = 0U; i < n; i++) {
			batch_idx[i] = gfn + done + i;
			batch_gpfn[i] = (gpa >> XD_PAGE_SHIFT) + done + i;
			batch_err[i] = 0;
		}
		rc = xd_memory_op(XD_XENMEM_ADD_TO_PHYSMAP_BATCH, &b);
		if (rc != 0) {
			return (int)rc;
		}
		for (uint16_t i = 0U; i < n; i++) {
			if (batch_err[i] != 0) {
				return batch_err[i];
			}
		}
		done += n;
	}
	return 0;
}

int xd_unmap(uint64_t gpa, uint64_t frames)
{
	int first = 0;

	for (uint64_t i = 0U; i < frames; i++) {
		struct xd_remove_from_physmap r = {
			.domid = XD_DOMID_SELF,
			.gpfn = (gpa >> XD_PAGE_SHIFT) + i,
		};
		long rc = xd_memory_op(XD_XENMEM_REMOVE_FROM_PHYSMAP, &r);

		if (rc != 0 && first == 0) {
			first = (int)rc;
		}
	}
	return first;
}

int xd_acquire_ioreq_page(uint16_t domid, uint16_t server, uint64_t gpa)
{
	uint64_t gfn = gpa >> XD_PAGE_SHIFT;
	struct vbe_xen_acquire_resource a = {
		.domid = domid,
		.type = VBE_XENMEM_RESOURCE_IOREQ_SERVER,
		.id = server,
		.nr_frames = 1U,
		.frame = VBE_XENMEM_RESOURCE_IOREQ_FRAME(0U),
		.frame_list = (uintptr_t)&gfn,
	};

	return (int)xd_memory_op(VBE_XENMEM_ACQUIRE_RESOURCE, &a);
}
