/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Stand-in for include/zephyr/xen/public/arch-arm.h (Zephyr's copy of Xen's public
 * arch-arm.h): XEN_HYPERCALL_TAG (0xEA1, the HVC immediate), xen_pfn_t and xen_ulong_t
 * (64 bits on arm64), guest handles (8 bytes, set_xen_guest_handle()).
 */
#ifndef STUB_ZEPHYR_XEN_PUBLIC_ARCH_ARM_H
#define STUB_ZEPHYR_XEN_PUBLIC_ARCH_ARM_H

#define XEN_HYPERCALL_TAG 0XEA1

#ifndef __ASSEMBLY__
#include <stdint.h>

typedef uint64_t xen_pfn_t;
typedef uint64_t xen_ulong_t;

#define XEN_GUEST_HANDLE(name) union { name *p; uint64_t q; }
#define set_xen_guest_handle(hnd, val)                                                             \
	do {                                                                                       \
		(hnd).q = 0;                                                                       \
		(hnd).p = (val);                                                                   \
	} while (0)
#endif /* __ASSEMBLY__ */

#endif /* STUB_ZEPHYR_XEN_PUBLIC_ARCH_ARM_H */
