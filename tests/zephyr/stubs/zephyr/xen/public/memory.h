/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Stand-in for include/zephyr/xen/public/memory.h as of v4.2.0 (Zephyr's copy of the parts of
 * Xen's memory.h it uses): XENMEM_populate_physmap (6), XENMEM_add_to_physmap (7),
 * XENMEM_remove_from_physmap (15), XENMEM_add_to_physmap_batch (23), XENMAPSPACE_* (gmfn_foreign
 * 4). The copy has no XENMEM_acquire_resource and no struct xen_mem_acquire_resource: they
 * came after the release with xendom_acquire_resource() (zephyrproject-rtos/zephyr#95935).
 */
#ifndef STUB_ZEPHYR_XEN_PUBLIC_MEMORY_H
#define STUB_ZEPHYR_XEN_PUBLIC_MEMORY_H

#include <zephyr/xen/public/xen.h>

#define XENMEM_populate_physmap     6
#define XENMEM_add_to_physmap       7
#define XENMEM_remove_from_physmap  15
#define XENMEM_add_to_physmap_batch 23

#define XENMAPSPACE_shared_info  0
#define XENMAPSPACE_grant_table  1
#define XENMAPSPACE_gmfn         2
#define XENMAPSPACE_gmfn_range   3
#define XENMAPSPACE_gmfn_foreign 4
#define XENMAPSPACE_dev_mmio     5

#endif /* STUB_ZEPHYR_XEN_PUBLIC_MEMORY_H */
