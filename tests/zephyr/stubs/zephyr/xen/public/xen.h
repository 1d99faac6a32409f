/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Stand-in for include/zephyr/xen/public/xen.h (Zephyr's copy of Xen's public xen.h): the
 * hypercall numbers the port and Zephyr's own hypercall.S name (__HYPERVISOR_memory_op 12,
 * __HYPERVISOR_event_channel_op 32, __HYPERVISOR_dm_op 41; the copy lists dm_op although
 * v4.2.0's hypercall.S has no entry for it), DOMID_SELF (0x7FF0) and domid_t.
 */
#ifndef STUB_ZEPHYR_XEN_PUBLIC_XEN_H
#define STUB_ZEPHYR_XEN_PUBLIC_XEN_H

#include <zephyr/xen/public/arch-arm.h>

#define __HYPERVISOR_memory_op        12
#define __HYPERVISOR_console_io       18
#define __HYPERVISOR_grant_table_op   20
#define __HYPERVISOR_sched_op         29
#define __HYPERVISOR_event_channel_op 32
#define __HYPERVISOR_hvm_op           34
#define __HYPERVISOR_domctl           36
#define __HYPERVISOR_dm_op            41

#define DOMID_SELF 0x7FF0U

#ifndef __ASSEMBLY__
typedef uint16_t domid_t;
#endif

#endif /* STUB_ZEPHYR_XEN_PUBLIC_XEN_H */
