/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Zephyr port, Xen transport (CONFIG_VBE_XEN): this image is Xen's Dom0 and serves each DomU
 * of the generated table (vbe/xen_cfg.h) as an IOREQ server, with the core's vbe_ioreq and
 * vbe_mmio, on Zephyr's own Xen layer (include/zephyr/xen/, arch/arm64/core/xen/).
 *
 * What Zephyr v4.2.0 provides is used as it is: event channels (<zephyr/xen/events.h>:
 * bind_interdomain_event_channel() with a callback, notify_evtchn()), foreign mappings
 * (<zephyr/xen/memory.h>: xendom_add_to_physmap_batch() with XENMAPSPACE_gmfn_foreign) and
 * the memory_op entry (<zephyr/arch/arm64/hypercall.h>: HYPERVISOR_memory_op()). What it
 * lacks for a device model is here, as thin as it can be: the dm_op hypercall
 * (xen_zephyr_hypercall.c, the same HVC convention as Zephyr's hypercall.S) and the argument
 * structs of XEN_DMOP_* and XENMEM_acquire_resource, written from Xen's public headers
 * (hvm/dm_op.h, memory.h) with their AAPCS64 layout checked below. Zephyr trees after v4.2.0
 * have dmop_*() (CONFIG_XEN_DMOP) and xendom_acquire_resource(); see zephyr-app/README.md.
 */

#ifndef VBE_XEN_ZEPHYR_H
#define VBE_XEN_ZEPHYR_H

#include "port_zephyr.h"

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <zephyr/toolchain.h>

#include <vbe/plat.h>
#include <vbe/xen_cfg.h>

/* ---- Xen's public interface, the parts Zephyr v4.2.0 has no copy of ---------------------- */

/* memory.h: XENMEM_acquire_resource, resource type ioreq_server, its frames (frame 0 is the
 * buffered ring, 1 + n the synchronous ioreq page n). */
#define VBE_XENMEM_ACQUIRE_RESOURCE 28
#define VBE_XENMEM_RESOURCE_IOREQ_SERVER 0
#define VBE_XENMEM_RESOURCE_IOREQ_FRAME(n) (1U + (n))

/* hvm/dm_op.h (and hvm/hvm_op.h for HVM_IOREQSRV_BUFIOREQ_OFF) */
#define VBE_XEN_DMOP_CREATE_IOREQ_SERVER 1
#define VBE_XEN_DMOP_MAP_IO_RANGE_TO_IOREQ_SERVER 3
#define VBE_XEN_DMOP_SET_IOREQ_SERVER_STATE 5
#define VBE_XEN_DMOP_DESTROY_IOREQ_SERVER 6
#define VBE_XEN_DMOP_SET_IRQ_LEVEL 19
#define VBE_XEN_DMOP_IO_RANGE_MEMORY 1
#define VBE_XEN_HVM_IOREQSRV_BUFIOREQ_OFF 0

/* errno.h of Xen's public interface: Linux numbers, not Zephyr's (ENOSYS is 88 there). */
#define VBE_XEN_ENOSYS 38

/** struct xen_mem_acquire_resource (memory.h). */
struct vbe_xen_acquire_resource {
	uint16_t domid;
	uint16_t type;
	uint32_t id;
	uint32_t nr_frames; /* IN: frames to map; OUT: frames mapped */
	uint32_t pad;
	uint64_t frame;
	uint64_t frame_list; /* guest handle: xen_pfn_t[nr_frames], the caller's own gfns (IN) */
};

/** struct xen_dm_op (hvm/dm_op.h): the op and the members of its union this port uses. */
struct vbe_xen_dm_op {
	uint32_t op;
	uint32_t pad;
	union {
		struct {
			uint8_t handle_bufioreq;
			uint8_t pad[3];
			uint16_t id; /* OUT: ioservid_t */
		} create;
		struct {
			uint16_t id;
			uint16_t pad;
			uint32_t type;
			uint64_t start; /* inclusive */
			uint64_t end;   /* inclusive */
		} range;
		struct {
			uint16_t id;
			uint8_t enabled;
			uint8_t pad;
		} state;
		struct {
			uint16_t id;
			uint16_t pad;
		} destroy;
		struct {
			uint32_t irq; /* a GIC SPI */
			uint8_t level;
			uint8_t pad[3];
		} irq;
		uint8_t size[24]; /* the largest member Xen reads (ioreq_server_range) */
	} u;
};

/** struct xen_dm_op_buf (hvm/dm_op.h). */
struct vbe_xen_dm_op_buf {
	uint64_t h;    /* guest handle of the buffer */
	uint64_t size; /* bytes */
};

/* AAPCS64 layout, as arch-arm.h says Xen reads hypercall arguments. */
BUILD_ASSERT(sizeof(struct vbe_xen_acquire_resource) == 32, "xen_mem_acquire_resource");
BUILD_ASSERT(offsetof(struct vbe_xen_acquire_resource, frame) == 16, "acquire_resource.frame");
BUILD_ASSERT(offsetof(struct vbe_xen_acquire_resource, frame_list) == 24, "frame_list");
BUILD_ASSERT(offsetof(struct vbe_xen_dm_op, u) == 8, "xen_dm_op.u");
BUILD_ASSERT(offsetof(struct vbe_xen_dm_op, u.create.id) == 12, "create_ioreq_server.id");
BUILD_ASSERT(offsetof(struct vbe_xen_dm_op, u.range.start) == 16, "ioreq_server_range.start");
BUILD_ASSERT(offsetof(struct vbe_xen_dm_op, u.range.end) == 24, "ioreq_server_range.end");
BUILD_ASSERT(offsetof(struct vbe_xen_dm_op, u.state.enabled) == 10, "set_state.enabled");
BUILD_ASSERT(offsetof(struct vbe_xen_dm_op, u.irq.level) == 12, "set_irq_level.level");
BUILD_ASSERT(sizeof(struct vbe_xen_dm_op) == 32, "xen_dm_op");
BUILD_ASSERT(sizeof(struct vbe_xen_dm_op_buf) == 16, "xen_dm_op_buf");

/**
 * @brief HYPERVISOR_dm_op(domid, nr_bufs, bufs): hvc #XEN_HYPERCALL_TAG with x16 =
 * __HYPERVISOR_dm_op (xen_zephyr_hypercall.c).
 *
 * @return 0, or a negative Xen errno.
 */
int vbe_zephyr_xen_dm_op(uint16_t domid, unsigned int nr_bufs, struct vbe_xen_dm_op_buf *bufs);

/* ---- the transport -------------------------------------------------------------------- */

/**
 * @brief Serve every DomU of @p cfg that has devices, on the Zephyr platform @p plat.
 *
 * Per domain, as the Linux Dom0 server does: map its RAM into the extended region the
 * xen,xen devicetree node gives (reg index 1), create an IOREQ server, acquire its ioreq
 * page, claim each device's virtio-mmio window, enable the server, bind each vCPU's event
 * channel. A domain that cannot be set up is logged and left out; the others are served.
 *
 * @return the number of domains served (0..cfg->domain_count), or -EINVAL for a table the
 *         port cannot serve (too many domains, devices of a guest that has none).
 */
int vbe_zephyr_xen_start(const struct vbe_xen_cfg *cfg, const struct vbe_plat *plat);

/** @brief Block until an event channel of a served domain fired. */
void vbe_zephyr_xen_wait(void);

/**
 * @brief Answer every domain that had an event since the last call: its READY ioreq slots,
 * then its devices' notified queues (vbe_ioreq_poll()). Raises each device's SPI as the
 * devices ask.
 *
 * @return true when anything was done.
 */
bool vbe_zephyr_xen_poll(void);

/** Counters of one served domain, for logs and tests. */
struct vbe_zephyr_xen_dom_stats {
	uint16_t domid;
	bool live;
	uint32_t events;      /* event channel callbacks */
	uint32_t irqs_raised; /* set_irq_level(spi, 1) that Xen accepted */
	uint32_t irqs_failed;
};

/** @retval 0 done. @retval -ENOENT no domain @p i. */
int vbe_zephyr_xen_dom_stats(unsigned int i, struct vbe_zephyr_xen_dom_stats *out);

#endif /* VBE_XEN_ZEPHYR_H */
