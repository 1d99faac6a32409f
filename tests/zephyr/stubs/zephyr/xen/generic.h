/* SPDX-License-Identifier: Apache-2.0 */
/* Stand-in for include/zephyr/xen/generic.h: XEN_PAGE_SIZE (4096), XEN_PAGE_SHIFT (12),
 * XEN_PFN_DOWN/XEN_PFN_PHYS. */
#ifndef STUB_ZEPHYR_XEN_GENERIC_H
#define STUB_ZEPHYR_XEN_GENERIC_H

#include <zephyr/xen/public/xen.h>

#define XEN_PAGE_SIZE  4096
#define XEN_PAGE_SHIFT 12

#define XEN_PFN_DOWN(x) (unsigned long)((x) >> XEN_PAGE_SHIFT)
#define XEN_PFN_PHYS(x) ((unsigned long)(x) << XEN_PAGE_SHIFT)

#endif /* STUB_ZEPHYR_XEN_GENERIC_H */
