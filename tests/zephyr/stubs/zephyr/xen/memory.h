/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Stand-in for include/zephyr/xen/memory.h (drivers/xen/memory.c) as of v4.2.0:
 * xendom_add_to_physmap(), xendom_add_to_physmap_batch() (foreign_domid for
 * XENMAPSPACE_gmfn_foreign; per-frame errors in errs), xendom_remove_from_physmap(),
 * xendom_populate_physmap(). Each returns 0 or a negative Xen errno. No
 * xendom_acquire_resource(): it came after the release (zephyrproject-rtos/zephyr#95935).
 */
#ifndef STUB_ZEPHYR_XEN_MEMORY_H
#define STUB_ZEPHYR_XEN_MEMORY_H

#include <zephyr/kernel.h>
#include <zephyr/xen/public/memory.h>
#include <zephyr/xen/public/xen.h>

int xendom_add_to_physmap(int domid, unsigned long idx, unsigned int space, xen_pfn_t gpfn);
int xendom_add_to_physmap_batch(int domid, int foreign_domid, unsigned int space,
				unsigned int size, xen_ulong_t *idxs, xen_pfn_t *gpfns, int *errs);
int xendom_remove_from_physmap(int domid, xen_pfn_t gpfn);
int xendom_populate_physmap(int domid, unsigned int extent_order, unsigned int nr_extents,
			    unsigned int mem_flags, xen_pfn_t *extent_start);

#endif /* STUB_ZEPHYR_XEN_MEMORY_H */
