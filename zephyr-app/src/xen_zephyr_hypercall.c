/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Zephyr port, Xen transport: the dm_op hypercall, which Zephyr v4.2.0's hypercall.S does not
 * have (it was added with the DMOP wrappers after the release, zephyrproject-rtos/zephyr#96727).
 *
 * The call is made as Zephyr's own HYPERCALL() entries in arch/arm64/core/xen/hypercall.S make
 * theirs, and as Xen's public arch-arm.h specifies: the hypercall number in x16, arguments in
 * x0..x2, "hvc #XEN_HYPERCALL_TAG", the result in x0; Xen clobbers x16 and the argument
 * registers, so all four are outputs. The constants are Zephyr's copies of Xen's headers
 * (<zephyr/xen/public/xen.h>: __HYPERVISOR_dm_op, <zephyr/xen/public/arch-arm.h>:
 * XEN_HYPERCALL_TAG). The buffers and what they point to are read and written by Xen:
 * "memory" keeps the compiler from caching them across the call.
 */

#include "port_zephyr.h"

#include <stdint.h>

#include <zephyr/xen/public/xen.h>

#include "xen_zephyr.h"

int vbe_zephyr_xen_dm_op(uint16_t domid, unsigned int nr_bufs, struct vbe_xen_dm_op_buf *bufs)
{
	register uint64_t x0 __asm__("x0") = domid;
	register uint64_t x1 __asm__("x1") = nr_bufs;
	register uint64_t x2 __asm__("x2") = (uint64_t)(uintptr_t)bufs;
	register uint64_t x16 __asm__("x16") = __HYPERVISOR_dm_op;

	__asm__ volatile("hvc %[tag]"
			 : "+r"(x0), "+r"(x1), "+r"(x2), "+r"(x16)
			 : [tag] "i"(XEN_HYPERCALL_TAG)
			 : "memory");

	return (int)(int64_t)x0;
}
