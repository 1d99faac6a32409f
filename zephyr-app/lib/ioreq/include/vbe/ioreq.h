/* SPDX-License-Identifier: Apache-2.0 */
/*
 * vbe_ioreq: the device side of Xen's IOREQ page protocol, portable.
 *
 * A device model registered as an IOREQ server for a domain gets one shared page with one
 * request slot per vCPU (Xen's public hvm/ioreq.h: struct ioreq, 32 bytes). When a vCPU
 * touches an MMIO range the server claimed, Xen fills the vCPU's slot, marks it READY,
 * signals the slot's event channel and blocks the vCPU; the server answers in the slot,
 * marks it IORESP_READY and signals back. This component runs that state machine and
 * dispatches each access to the virtio-mmio device (vbe_mmio) whose window holds it. It
 * calls no Xen library: the port provides the operations (send an event, raise a
 * device's interrupt through vbe_mmio_irq, map guest memory for vbe_mmio's callback) and
 * waits for events its own way. Linux Dom0 (libxendevicemodel...), the bare-metal Dom0
 * (hypercalls) and Zephyr bind it alike. See docs/xen.md.
 */

#ifndef VBE_IOREQ_H
#define VBE_IOREQ_H

#include <stdbool.h>
#include <stdint.h>

#include <vbe/mmio.h>

/** vCPUs of one domain served by one server. */
#ifndef VBE_IOREQ_MAX_VCPUS
#define VBE_IOREQ_MAX_VCPUS 4
#endif

/** virtio-mmio devices behind one server (one domain). */
#ifndef VBE_IOREQ_MAX_DEVICES
#define VBE_IOREQ_MAX_DEVICES 4
#endif

/* Slot states (Xen's STATE_IOREQ_* / STATE_IORESP_*) */
#define VBE_IOREQ_STATE_NONE 0
#define VBE_IOREQ_STATE_READY 1
#define VBE_IOREQ_STATE_INPROCESS 2
#define VBE_IOREQ_STATE_RESP_READY 3

/* Request types (Xen's IOREQ_TYPE_*); only COPY (MMIO) is served here */
#define VBE_IOREQ_TYPE_PIO 0
#define VBE_IOREQ_TYPE_COPY 1

/* vbe_ioreq_slot.flags: Xen's bit-fields state:4, data_is_ptr:1, dir:1, df:1 (LSB first) */
#define VBE_IOREQ_FLAG_STATE_MASK 0x0f
#define VBE_IOREQ_FLAG_DATA_IS_PTR 0x10
#define VBE_IOREQ_FLAG_DIR_READ 0x20
#define VBE_IOREQ_FLAG_DF 0x40

/** One vCPU's request slot, with the layout of Xen's struct ioreq (little-endian). */
struct vbe_ioreq_slot {
	uint64_t addr;     /* guest physical address accessed */
	uint64_t data;     /* written value, or the read result the server fills in */
	uint32_t count;    /* repetitions; 1 for MMIO */
	uint32_t size;     /* bytes: 1, 2, 4 or 8 */
	uint32_t vp_eport; /* the vCPU's event channel (Xen's side): bind it interdomain */
	uint16_t pad0;
	uint8_t flags;     /* VBE_IOREQ_FLAG_* */
	uint8_t type;      /* VBE_IOREQ_TYPE_* */
};

/** Why a request was answered without reaching a device (struct vbe_ioreq_stats.refused). */
enum vbe_ioreq_refusal {
	VBE_IOREQ_BAD_TYPE = 0,   /* not an MMIO copy (port I/O, PCI config, invalidate...) */
	VBE_IOREQ_BAD_PTR = 1,    /* data_is_ptr: a string/rep access, not on Arm MMIO */
	VBE_IOREQ_BAD_COUNT = 2,  /* count != 1 */
	VBE_IOREQ_BAD_SIZE = 3,   /* size not 1, 2, 4 or 8 */
	VBE_IOREQ_BAD_ADDR = 4,   /* no device window holds [addr, addr + size) */
	VBE_IOREQ_BAD_DEVICE = 5, /* the device refused the access (vbe_mmio stats say why) */
	VBE_IOREQ_REFUSAL_COUNT,
};

/** The port's operations. */
struct vbe_ioreq_ops {
	/** Signal the event channel of @p vcpu's slot (the answer is in the page). */
	int (*notify)(void *ctx, unsigned int vcpu);
};

struct vbe_ioreq_stats {
	uint32_t served;   /* answers given, refused ones included */
	uint32_t reads;
	uint32_t writes;
	uint32_t spurious; /* events with no READY slot */
	uint32_t refused[VBE_IOREQ_REFUSAL_COUNT];
};

struct vbe_ioreq_dev {
	uint64_t base; /* guest physical address of the register window */
	struct vbe_mmio *mmio;
};

struct vbe_ioreq_server {
	struct vbe_ioreq_slot *page; /* the shared ioreq page (one slot per vCPU) */
	unsigned int vcpus;
	const struct vbe_ioreq_ops *ops;
	void *ctx;
	struct vbe_ioreq_dev dev[VBE_IOREQ_MAX_DEVICES];
	unsigned int num_devices;
	struct vbe_ioreq_stats stats;
};

/**
 * @brief Set a server up on its mapped ioreq page.
 *
 * @param page the page the port mapped (XENMEM_resource_ioreq_server, frame ioreq(0)).
 * @param vcpus the domain's vCPUs (slots used), 1..VBE_IOREQ_MAX_VCPUS.
 * @retval 0 done. @retval -EINVAL NULL argument, no notify op, or vcpus out of range.
 */
int vbe_ioreq_init(struct vbe_ioreq_server *s, void *page, unsigned int vcpus,
		   const struct vbe_ioreq_ops *ops, void *ctx);

/**
 * @brief Put a virtio-mmio device at @p base (a VBE_MMIO_WINDOW_SIZE window).
 *
 * The port also claims the range from Xen (map_io_range_to_ioreq_server).
 *
 * @retval 0 done.
 * @retval -ENOSPC VBE_IOREQ_MAX_DEVICES devices already.
 * @retval -EINVAL NULL device, base not aligned to the window, or a window that wraps.
 * @retval -EEXIST the window overlaps another device's.
 */
int vbe_ioreq_add_device(struct vbe_ioreq_server *s, uint64_t base, struct vbe_mmio *mmio);

/**
 * @brief Bind a backend as a virtio-mmio device of the server: vbe_mmio_init() of @p mmio
 * with @p ops, @p be, @p mem and @p irq, then vbe_ioreq_add_device() at @p base. With
 * @p platform (a guest that hands out grant references, not guest-physical addresses) the
 * device offers and requires VIRTIO_F_ACCESS_PLATFORM, so the driver uses its DMA API.
 *
 * @retval 0 done.
 * @retval -EINVAL, -ENOSPC, -EEXIST as vbe_mmio_init() and vbe_ioreq_add_device().
 */
int vbe_ioreq_bind(struct vbe_ioreq_server *s, struct vbe_mmio *mmio, uint64_t base,
		   const struct vbe_dev_ops *ops, void *be, const struct vbe_vq_mem *mem,
		   const struct vbe_mmio_irq *irq, bool platform);

/**
 * @brief The event channel Xen signals for @p vcpu's slot (to bind interdomain).
 * @return the port number from the page, 0 for a vCPU out of range.
 */
uint32_t vbe_ioreq_vcpu_port(const struct vbe_ioreq_server *s, unsigned int vcpu);

/**
 * @brief Answer @p vcpu's request if one is READY.
 *
 * Reads the slot once (after a barrier pairing with Xen's write of the state), dispatches
 * the access to its device, writes the result, then the state IORESP_READY after a barrier,
 * and notifies. A request that cannot be served is answered too (a read gives all ones, a
 * write is dropped) and counted, so a vCPU is never left blocked.
 *
 * @retval 0 a request was answered.
 * @retval -EAGAIN the slot holds no READY request.
 * @retval -EINVAL vcpu out of range.
 */
int vbe_ioreq_handle(struct vbe_ioreq_server *s, unsigned int vcpu);

/**
 * @brief Answer every READY slot, then run the devices (vbe_mmio_poll).
 *
 * @param all run every device's queues even without a notify (a polling port).
 * @return true when anything was done.
 */
bool vbe_ioreq_poll(struct vbe_ioreq_server *s, bool all);

/**
 * @brief Whether a device of the server must be served again without a new event (its
 * last pass spent VBE_DEV_BUDGET: vbe_mmio_more()). A port calls vbe_ioreq_poll() again
 * before it blocks, after its other domains had their turn.
 */
bool vbe_ioreq_more(const struct vbe_ioreq_server *s);

/** @brief Name of a refusal class, for logs. Never NULL. */
const char *vbe_ioreq_refusal_str(enum vbe_ioreq_refusal r);

#endif /* VBE_IOREQ_H */
