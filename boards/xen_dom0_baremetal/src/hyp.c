/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Hypercalls (arch-arm.h): "hvc #0xEA1", the number in x16, up to five arguments in
 * x0..x4, the result in x0. Xen clobbers x16 and the argument registers it used. Pointer
 * arguments are virtual addresses Xen translates through this Dom0's stage 1 (identity,
 * mmu.c), to Normal write-back memory.
 */

#include <stddef.h>
#include <stdint.h>

#include "xd.h"
#include "xen_abi.h"

long xd_hypercall(unsigned long op, unsigned long a0, unsigned long a1, unsigned long a2,
		  unsigned long a3, unsigned long a4)
{
	register unsigned long x0 __asm__("x0") = a0;
	register unsigned long x1 __asm__("x1") = a1;
	register unsigned long x2 __asm__("x2") = a2;
	register unsigned long x3 __asm__("x3") = a3;
	register unsigned long x4 __asm__("x4") = a4;
	register unsigned long x16 __asm__("x16") = op;

	__asm__ volatile("hvc %[tag]"
			 : "+r"(x0), "+r"(x1), "+r"(x2), "+r"(x3), "+r"(x4), "+r"(x16)
			 : [tag] "i"(XD_HYPERCALL_TAG)
			 : "memory");
	return (long)x0;
}

long xd_memory_op(unsigned int cmd, void *arg)
{
	return xd_hypercall(XD_HC_MEMORY_OP, cmd, (uintptr_t)arg, 0, 0, 0);
}

long xd_evtchn_op(unsigned int cmd, void *arg)
{
	return xd_hypercall(XD_HC_EVENT_CHANNEL_OP, cmd, (uintptr_t)arg, 0, 0, 0);
}

long xd_dm_op(uint16_t domid, struct vbe_xen_dm_op *op, size_t size)
{
	struct vbe_xen_dm_op_buf buf = { .h = (uintptr_t)op, .size = size };

	return xd_hypercall(XD_HC_DM_OP, domid, 1, (uintptr_t)&buf, 0, 0);
}

long xd_domctl(struct xd_domctl *d)
{
	d->interface_version = XD_DOMCTL_INTERFACE_VERSION;
	return xd_hypercall(XD_HC_DOMCTL, (uintptr_t)d, 0, 0, 0, 0);
}

long xd_sched_poll(const uint32_t *ports, unsigned int n, uint64_t timeout_ns)
{
	struct xd_sched_poll p = {
		.ports = (uintptr_t)ports,
		.nr_ports = n,
		.timeout = timeout_ns,
	};

	return xd_hypercall(XD_HC_SCHED_OP, XD_SCHEDOP_POLL, (uintptr_t)&p, 0, 0, 0);
}
