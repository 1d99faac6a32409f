/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The part of Xen's public interface a Dom0 port issues itself to run an IOREQ server:
 * XENMEM_acquire_resource (memory.h) and the device-model operations of HYPERVISOR_dm_op
 * (hvm/dm_op.h; hvm/hvm_op.h for HVM_IOREQSRV_BUFIOREQ_OFF), written from the headers'
 * documented layout (Xen 4.17), not copied. The bare-metal Dom0 (raw hypercalls) and the
 * Zephyr port (Zephyr v4.2.0 has no dm_op) use it; vbe-xen has libxendevicemodel instead.
 *
 * Arm passes hypercall argument structs in their AAPCS64 layout (arch-arm.h), guest handles
 * as 8 bytes: the sizes and offsets are checked below.
 */

#ifndef VBE_XEN_DMOP_H
#define VBE_XEN_DMOP_H

#include <stddef.h>
#include <stdint.h>

/* memory.h: XENMEM_acquire_resource, resource type ioreq_server and its frames (frame 0 is
 * the buffered ring, 1 + n the synchronous ioreq page n). */
#define VBE_XENMEM_ACQUIRE_RESOURCE 28
#define VBE_XENMEM_RESOURCE_IOREQ_SERVER 0
#define VBE_XENMEM_RESOURCE_IOREQ_FRAME(n) (1U + (n))

/* hvm/dm_op.h */
#define VBE_XEN_DMOP_CREATE_IOREQ_SERVER 1
#define VBE_XEN_DMOP_MAP_IO_RANGE_TO_IOREQ_SERVER 3
#define VBE_XEN_DMOP_SET_IOREQ_SERVER_STATE 5
#define VBE_XEN_DMOP_DESTROY_IOREQ_SERVER 6
#define VBE_XEN_DMOP_SET_IRQ_LEVEL 19
#define VBE_XEN_DMOP_NR_VCPUS 20
#define VBE_XEN_DMOP_IO_RANGE_MEMORY 1
/* hvm/hvm_op.h: an IOREQ server with synchronous requests only (no buffered ring) */
#define VBE_XEN_HVM_IOREQSRV_BUFIOREQ_OFF 0

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

/** struct xen_dm_op (hvm/dm_op.h): the op and the members of its union the ports use. */
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
		struct {
			uint32_t vcpus; /* OUT */
		} nr_vcpus;
		uint8_t size[24]; /* the largest member Xen reads (ioreq_server_range) */
	} u;
};

/** struct xen_dm_op_buf (hvm/dm_op.h). */
struct vbe_xen_dm_op_buf {
	uint64_t h;    /* guest handle of the buffer */
	uint64_t size; /* bytes */
};

#if defined(__STDC_VERSION__) && __STDC_VERSION__ >= 201112L
_Static_assert(sizeof(struct vbe_xen_acquire_resource) == 32, "xen_mem_acquire_resource");
_Static_assert(offsetof(struct vbe_xen_acquire_resource, frame) == 16, "acquire_resource.frame");
_Static_assert(offsetof(struct vbe_xen_acquire_resource, frame_list) == 24, "frame_list");
_Static_assert(offsetof(struct vbe_xen_dm_op, u) == 8, "xen_dm_op.u");
_Static_assert(offsetof(struct vbe_xen_dm_op, u.create.id) == 12, "create_ioreq_server.id");
_Static_assert(offsetof(struct vbe_xen_dm_op, u.range.start) == 16, "ioreq_server_range.start");
_Static_assert(offsetof(struct vbe_xen_dm_op, u.range.end) == 24, "ioreq_server_range.end");
_Static_assert(offsetof(struct vbe_xen_dm_op, u.state.enabled) == 10, "set_state.enabled");
_Static_assert(offsetof(struct vbe_xen_dm_op, u.irq.level) == 12, "set_irq_level.level");
_Static_assert(sizeof(struct vbe_xen_dm_op) == 32, "xen_dm_op");
_Static_assert(sizeof(struct vbe_xen_dm_op_buf) == 16, "xen_dm_op_buf");
#endif

#endif /* VBE_XEN_DMOP_H */
