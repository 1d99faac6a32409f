/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The few numbers and structs of Xen's public interface (xen/include/public/, Xen 4.17)
 * this Dom0 uses, written here from the headers' documented layout: no Xen header is
 * included or copied. Each struct's size and field offsets are checked at compile time
 * against the AAPCS64 layout the headers give (arch-arm.h: "Parameter structs passed to
 * hypercalls are laid out according to [...] AAPCS64"; guest handles are 8 bytes).
 *
 * Where each one comes from:
 *   xen.h            hypercall numbers, VIRQ_*, DOMID_SELF, struct shared_info/vcpu_info
 *   arch-arm.h       hvc #0xEA1 with the number in x16, args x0..x4; GUEST_* addresses
 *   memory.h         XENMEM_* (add_to_physmap[_batch], remove_from_physmap), XENMAPSPACE_*
 *   hvm/dm_op.h      XEN_DMOP_* and XENMEM_acquire_resource (memory.h): the core's
 *                    vbe/xen_dmop.h, which the Zephyr port uses too
 *   event_channel.h  EVTCHNOP_* and their argument structs
 *   sched.h          SCHEDOP_poll, struct sched_poll
 *   domctl.h         XEN_DOMCTL_* (getdomaininfo, destroydomain), interface version 0x15
 *   grant_table.h    GNTTABOP_map_grant_ref/unmap_grant_ref, GNTMAP_*, GNTST_*
 *   console_io       CONSOLEIO_write/read (xen.h)
 */

#ifndef VBE_BOARDS_XEN_DOM0_BAREMETAL_XEN_ABI_H
#define VBE_BOARDS_XEN_DOM0_BAREMETAL_XEN_ABI_H

#include <stddef.h>
#include <stdint.h>

#include <vbe/xen_dmop.h>

/* ---- hypercall numbers (xen.h) ---- */
#define XD_HC_MEMORY_OP 12
#define XD_HC_CONSOLE_IO 18
#define XD_HC_GRANT_TABLE_OP 20
#define XD_HC_SCHED_OP 29
#define XD_HC_EVENT_CHANNEL_OP 32
#define XD_HC_DOMCTL 36
#define XD_HC_DM_OP 41

#define XD_HYPERCALL_TAG 0xEA1 /* the HVC immediate (arch-arm.h) */

#define XD_DOMID_SELF 0x7FF0U
#define XD_DOMID_FIRST_RESERVED 0x7FF0U

#define XD_PAGE_SHIFT 12
#define XD_PAGE_SIZE 4096U

/* ---- console_io ---- */
#define XD_CONSOLEIO_WRITE 0
#define XD_CONSOLEIO_READ 1

/* ---- VIRQs (xen.h), global ones go to the hardware domain ---- */
#define XD_VIRQ_CONSOLE 2 /* bytes on the serial line while its input is Dom0's */
#define XD_VIRQ_DOM_EXC 3 /* a domain shut down or was destroyed */

/* ---- memory_op (memory.h) ---- */
#define XD_XENMEM_ADD_TO_PHYSMAP 7
#define XD_XENMEM_REMOVE_FROM_PHYSMAP 15
#define XD_XENMEM_ADD_TO_PHYSMAP_BATCH 23

#define XD_XENMAPSPACE_SHARED_INFO 0
#define XD_XENMAPSPACE_GMFN_FOREIGN 4


struct xd_add_to_physmap {
	uint16_t domid;
	uint16_t size; /* gmfn_range only */
	uint32_t space;
	uint64_t idx;
	uint64_t gpfn;
};

struct xd_add_to_physmap_batch {
	uint16_t domid;
	uint16_t space;
	uint16_t size;
	uint16_t foreign_domid; /* gmfn_foreign: the domain whose frames idxs are */
	uint64_t idxs;          /* guest handle: uint64_t[size], frames in foreign_domid */
	uint64_t gpfns;         /* guest handle: uint64_t[size], where they appear here */
	uint64_t errs;          /* guest handle: int32_t[size], per-frame result (OUT) */
};

struct xd_remove_from_physmap {
	uint16_t domid;
	uint64_t gpfn;
};

/* ---- event_channel_op (event_channel.h) ---- */
#define XD_EVTCHNOP_BIND_INTERDOMAIN 0
#define XD_EVTCHNOP_BIND_VIRQ 1
#define XD_EVTCHNOP_CLOSE 3
#define XD_EVTCHNOP_SEND 4

struct xd_evtchn_bind_interdomain {
	uint16_t remote_dom;
	uint32_t remote_port;
	uint32_t local_port; /* OUT */
};

struct xd_evtchn_bind_virq {
	uint32_t virq;
	uint32_t vcpu;
	uint32_t port; /* OUT */
};

struct xd_evtchn_port {
	uint32_t port; /* struct evtchn_send and struct evtchn_close */
};

/* ---- sched_op (sched.h) ---- */
#define XD_SCHEDOP_POLL 3

struct xd_sched_poll {
	uint64_t ports; /* guest handle: uint32_t[nr_ports] */
	uint32_t nr_ports;
	uint64_t timeout; /* absolute Xen system time in ns; 0: none */
};

/* ---- shared_info (xen.h, arch-arm.h: one legacy vcpu_info, 64-bit words) ---- */
struct xd_vcpu_info {
	uint8_t evtchn_upcall_pending;
	uint8_t pad0;
	uint64_t evtchn_pending_sel;
	uint8_t time[32]; /* struct vcpu_time_info: not used here */
};

#define XD_EVTCHN_WORDS 64 /* 2-level ABI: 64 words of 64 bits = 4096 ports */

struct xd_shared_info {
	struct xd_vcpu_info vcpu_info[1];
	uint64_t evtchn_pending[XD_EVTCHN_WORDS];
	uint64_t evtchn_mask[XD_EVTCHN_WORDS];
	/* wallclock fields follow: not used here */
};

/* ---- domctl (domctl.h) ---- */
#define XD_DOMCTL_INTERFACE_VERSION 0x00000015 /* Xen 4.17; a mismatch gets -EACCES */
#define XD_DOMCTL_DESTROYDOMAIN 2
#define XD_DOMCTL_GETDOMAININFO 5

#define XD_DOMINF_DYING (1U << 0)
#define XD_DOMINF_SHUTDOWN (1U << 2)
#define XD_DOMINF_SHUTDOWN_SHIFT 16 /* the guest's SHUTDOWN_* code, 8 bits */

struct xd_domctl {
	uint32_t cmd;
	uint32_t interface_version;
	uint16_t domain;
	uint16_t pad[3];
	union {
		struct {
			uint16_t domain; /* echoed: the first domain with an id >= the asked one */
			uint16_t pad1;
			uint32_t flags;  /* XD_DOMINF_* */
			uint64_t tot_pages;
			uint64_t max_pages;
		} getdomaininfo;
		uint8_t pad[128];
	} u;
};

/* ---- grant_table_op (grant_table.h): HYPERVISOR_grant_table_op(cmd, ops, count) ---- */
#define XD_GNTTABOP_MAP_GRANT_REF 0
#define XD_GNTTABOP_UNMAP_GRANT_REF 1

/* On Arm the only mapping Xen makes for an auto-translated caller: the granted frame at the
 * caller's guest frame host_addr (GNTMAP_host_map), read-only with GNTMAP_readonly; any other
 * flag (device_map, application_map, contains_pte) is refused with GNTST_general_error. */
#define XD_GNTMAP_HOST_MAP (1U << 1)
#define XD_GNTMAP_READONLY (1U << 2)

#define XD_GNTST_OKAY 0
#define XD_GNTST_GENERAL_ERROR (-1)
#define XD_GNTST_BAD_DOMAIN (-2)
#define XD_GNTST_BAD_GNTREF (-3)
#define XD_GNTST_BAD_HANDLE (-4)
#define XD_GNTST_BAD_VIRT_ADDR (-5)
#define XD_GNTST_NO_DEVICE_SPACE (-7)
#define XD_GNTST_PERMISSION_DENIED (-8)
#define XD_GNTST_EAGAIN (-12)
#define XD_GNTST_NO_SPACE (-13) /* our maptrack (handles) is full */

struct xd_gnttab_map {
	uint64_t host_addr;    /* IN: our guest physical address for the frame */
	uint32_t flags;        /* IN: XD_GNTMAP_* */
	uint32_t ref;          /* IN: grant_ref_t in dom's table */
	uint16_t dom;          /* IN: the granting domain */
	int16_t status;        /* OUT: XD_GNTST_* */
	uint32_t handle;       /* OUT: grant_handle_t, for the unmap */
	uint64_t dev_bus_addr; /* OUT: with GNTMAP_device_map only */
};

struct xd_gnttab_unmap {
	uint64_t host_addr;    /* IN: where it was mapped */
	uint64_t dev_bus_addr; /* IN: 0 (no device mapping) */
	uint32_t handle;       /* IN: the map's handle */
	int16_t status;        /* OUT: XD_GNTST_* */
};

/* ---- arch-arm.h: a DomU's guest physical layout ---- */
#define XD_GUEST_RAM0_BASE 0x40000000ULL
#define XD_GUEST_RAM0_SIZE 0xc0000000ULL
#define XD_GUEST_RAM1_BASE 0x0200000000ULL
#define XD_GUEST_RAM1_SIZE 0xfe00000000ULL

/* Layout checks: AAPCS64, as Xen reads them. */
_Static_assert(sizeof(struct xd_add_to_physmap) == 24, "xen_add_to_physmap");
_Static_assert(offsetof(struct xd_add_to_physmap, idx) == 8, "xen_add_to_physmap.idx");
_Static_assert(sizeof(struct xd_add_to_physmap_batch) == 32, "xen_add_to_physmap_batch");
_Static_assert(sizeof(struct xd_remove_from_physmap) == 16, "xen_remove_from_physmap");
_Static_assert(sizeof(struct xd_evtchn_bind_interdomain) == 12, "evtchn_bind_interdomain");
_Static_assert(sizeof(struct xd_evtchn_bind_virq) == 12, "evtchn_bind_virq");
_Static_assert(sizeof(struct xd_sched_poll) == 24, "sched_poll");
_Static_assert(sizeof(struct xd_vcpu_info) == 48, "vcpu_info on arm64");
_Static_assert(offsetof(struct xd_shared_info, evtchn_pending) == 48, "evtchn_pending");
_Static_assert(offsetof(struct xd_shared_info, evtchn_mask) == 48 + 512, "evtchn_mask");
_Static_assert(sizeof(struct xd_domctl) == 144, "xen_domctl");
_Static_assert(offsetof(struct xd_domctl, u.getdomaininfo.flags) == 20, "getdomaininfo.flags");

_Static_assert(sizeof(struct xd_gnttab_map) == 32, "gnttab_map_grant_ref");
_Static_assert(offsetof(struct xd_gnttab_map, ref) == 12, "gnttab_map_grant_ref.ref");
_Static_assert(offsetof(struct xd_gnttab_map, status) == 18, "gnttab_map_grant_ref.status");
_Static_assert(offsetof(struct xd_gnttab_map, handle) == 20, "gnttab_map_grant_ref.handle");
_Static_assert(offsetof(struct xd_gnttab_map, dev_bus_addr) == 24, "gnttab_map_grant_ref.dev");
_Static_assert(sizeof(struct xd_gnttab_unmap) == 24, "gnttab_unmap_grant_ref");
_Static_assert(offsetof(struct xd_gnttab_unmap, handle) == 16, "gnttab_unmap_grant_ref.handle");
_Static_assert(offsetof(struct xd_gnttab_unmap, status) == 20, "gnttab_unmap_grant_ref.status");

#endif /* VBE_BOARDS_XEN_DOM0_BAREMETAL_XEN_ABI_H */
