/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Event channels, 2-level ABI, without interrupts: the shared info page carries a pending
 * and a mask bit per port. Every port this Dom0 binds is masked (Xen then raises no upcall
 * interrupt for it, and there is no GIC driver here to take one) and waited for with
 * SCHEDOP_poll, which blocks the vCPU until one of the given ports is pending, masked or
 * not (xen common/sched/core.c, do_poll). A port's pending bit is cleared before the work
 * it signals is looked at, so an event that arrives meanwhile leaves the bit set and the
 * next poll returns at once: no wake-up is lost.
 */

#include <errno.h>
#include <stdbool.h>
#include <stdint.h>

#include "xd.h"
#include "xen_abi.h"

#define PORT_BITS 64U

static volatile struct xd_shared_info *xd_si;

int xd_evtchn_init(uint64_t gpa)
{
	struct xd_add_to_physmap a = {
		.domid = XD_DOMID_SELF,
		.space = XD_XENMAPSPACE_SHARED_INFO,
		.idx = 0U,
		.gpfn = gpa >> XD_PAGE_SHIFT,
	};
	long rc = xd_memory_op(XD_XENMEM_ADD_TO_PHYSMAP, &a);

	if (rc != 0) {
		return (int)rc;
	}
	xd_si = (volatile struct xd_shared_info *)(uintptr_t)gpa;
	/* Every port masked, bound or not: Xen never raises the upcall interrupt for us. */
	for (unsigned int i = 0U; i < XD_EVTCHN_WORDS; i++) {
		__atomic_store_n(&xd_si->evtchn_mask[i], ~0ULL, __ATOMIC_SEQ_CST);
	}
	return 0;
}

static bool port_ok(uint32_t port)
{
	return xd_si != NULL && port != 0U && port < XD_EVTCHN_WORDS * PORT_BITS;
}

void xd_evtchn_mask(uint32_t port)
{
	if (port_ok(port)) {
		__atomic_fetch_or(&xd_si->evtchn_mask[port / PORT_BITS], 1ULL << (port % PORT_BITS),
				  __ATOMIC_SEQ_CST);
	}
}

bool xd_evtchn_test_and_clear(uint32_t port)
{
	uint64_t bit = 1ULL << (port % PORT_BITS);

	if (!port_ok(port)) {
		return false;
	}
	/* Xen sets the bit with an atomic OR too: the clear must not lose a new one. */
	return (__atomic_fetch_and(&xd_si->evtchn_pending[port / PORT_BITS], ~bit,
				   __ATOMIC_SEQ_CST) & bit) != 0U;
}

bool xd_evtchn_pending(uint32_t port)
{
	return port_ok(port) && (__atomic_load_n(&xd_si->evtchn_pending[port / PORT_BITS],
						 __ATOMIC_ACQUIRE) &
				 (1ULL << (port % PORT_BITS))) != 0U;
}

int xd_evtchn_bind_interdomain(uint16_t domid, uint32_t remote_port, uint32_t *local)
{
	struct xd_evtchn_bind_interdomain b = { .remote_dom = domid, .remote_port = remote_port };
	long rc = xd_evtchn_op(XD_EVTCHNOP_BIND_INTERDOMAIN, &b);

	if (rc != 0) {
		return (int)rc;
	}
	/* masked before anything can be pending on it: no upcall, ever */
	xd_evtchn_mask(b.local_port);
	*local = b.local_port;
	return 0;
}

int xd_evtchn_bind_virq(uint32_t virq, uint32_t *local)
{
	struct xd_evtchn_bind_virq b = { .virq = virq, .vcpu = 0U };
	long rc = xd_evtchn_op(XD_EVTCHNOP_BIND_VIRQ, &b);

	if (rc != 0) {
		return (int)rc;
	}
	xd_evtchn_mask(b.port);
	*local = b.port;
	return 0;
}

int xd_evtchn_send(uint32_t port)
{
	struct xd_evtchn_port p = { .port = port };

	return (int)xd_evtchn_op(XD_EVTCHNOP_SEND, &p);
}

int xd_evtchn_close(uint32_t port)
{
	struct xd_evtchn_port p = { .port = port };

	return (int)xd_evtchn_op(XD_EVTCHNOP_CLOSE, &p);
}
