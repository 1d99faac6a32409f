/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The fat-virtqueue window: the one region a guest shares with the backend.
 *
 * This header is the single definition of the layout. The C core includes it; pyhost
 * feeds it to cffi (tests/core/test_layout.py proves both agree). Keep it to fixed-width
 * integer fields, arrays with literal sizes, and plain integer #defines: no expressions,
 * no other includes, no inline code.
 *
 * All fields are little-endian. Every field has exactly one writer, named in its section,
 * and the two writers' fields never share a 64-byte line, so a cache-coherent or
 * cache-maintained mapping needs no read-modify-write of the other side's data.
 *
 *   offset 0                 struct vbe_fvq_header            (device-written)
 *   header.devblock_off      struct vbe_fvq_devblock [num_devices]
 *   header.ring_off          ring area: split rings placed by the driver
 *   header.data_off          data area: every descriptor addr/len must fall here
 *
 * Descriptor addresses are offsets from the start of the window. See docs/transport.md.
 */

#ifndef VBE_FVQ_LAYOUT_H
#define VBE_FVQ_LAYOUT_H

#include <stdint.h>

#define VBE_FVQ_MAGIC 0x57454256 /* "VBEW" */
#define VBE_FVQ_VERSION_MAJOR 1
#define VBE_FVQ_VERSION_MINOR 0
#define VBE_FVQ_MAX_DEVICES 4
#define VBE_FVQ_MAX_QUEUES 2
#define VBE_FVQ_CONFIG_SIZE 64
#define VBE_FVQ_VENDOR_ID 0x00454256 /* "VBE" */

/* header.notify_methods bits: how the two sides may wake each other */
#define VBE_FVQ_NOTIFY_POLL 1
#define VBE_FVQ_NOTIFY_DOORBELL 2

/*
 * vbe_fvq_dev_queue.fault: why the device raised DEVICE_NEEDS_RESET for a queue: 1..99 are
 * enum vbe_vq_fault (a bad descriptor chain, vbe/vq.h), 100 and up enum vbe_dev_fault
 * (queue set-up errors found at DRIVER_OK, vbe/dev.h).
 */

/* header.backend_state */
#define VBE_FVQ_BACKEND_DOWN 0
#define VBE_FVQ_BACKEND_READY 1

/** Window header, 64 bytes. Written by the device once; magic last. */
struct vbe_fvq_header {
	uint32_t magic;          /* VBE_FVQ_MAGIC once everything else is valid */
	uint16_t version_major;  /* incompatible changes */
	uint16_t version_minor;  /* compatible additions */
	uint32_t window_size;    /* bytes, the whole window */
	uint16_t num_devices;    /* device blocks that follow */
	uint16_t guest_id;       /* which guest this window serves */
	uint32_t devblock_off;   /* offset of devblock[0] */
	uint32_t devblock_size;  /* stride between device blocks */
	uint32_t ring_off;       /* ring area: offset and size */
	uint32_t ring_size;
	uint32_t data_off;       /* data area: offset and size */
	uint32_t data_size;
	uint32_t backend_state;  /* VBE_FVQ_BACKEND_* */
	uint32_t boot_seq;       /* bumped each time the backend (re)initialises the window */
	uint32_t notify_methods; /* VBE_FVQ_NOTIFY_* the backend supports */
	uint32_t reserved[3];
};

/** Per-queue fields the device writes (16 bytes). */
struct vbe_fvq_dev_queue {
	uint16_t size_max;   /* largest size the device accepts; 0 = no such queue */
	uint16_t reserved0;
	uint32_t fault;      /* enum vbe_vq_fault that broke this queue, 0 = none */
	uint32_t interrupt_seq; /* bumped on each used-buffer notification */
	uint32_t reserved1;
};

/** Per-queue fields the driver writes (16 bytes). */
struct vbe_fvq_drv_queue {
	uint16_t size;      /* entries, power of two <= size_max */
	uint16_t enable;    /* 1 = use this queue from DRIVER_OK on */
	uint32_t desc_off;  /* window offsets of the three ring parts, in the ring area */
	uint32_t avail_off;
	uint32_t used_off;
};

/** Device-written half of a device block: 192 bytes. */
struct vbe_fvq_dev_regs {
	uint32_t device_id;      /* virtio device id; 0 = empty slot */
	uint32_t vendor_id;      /* VBE_FVQ_VENDOR_ID */
	uint32_t device_features_lo;
	uint32_t device_features_hi;
	uint32_t device_status;  /* the status in force (see docs/transport.md) */
	uint32_t status_ack;     /* = drv.status_seq once that status write was handled */
	uint32_t config_generation;
	uint16_t num_queues;
	uint16_t config_size;
	uint32_t notify_seen;    /* last drv.notify_seq the device acted on */
	uint32_t reserved[15];
	struct vbe_fvq_dev_queue queue[2]; /* [VBE_FVQ_MAX_QUEUES] */
	uint8_t config[64];      /* [VBE_FVQ_CONFIG_SIZE] device-specific configuration */
};

/** Driver-written half of a device block: 64 bytes. */
struct vbe_fvq_drv_regs {
	uint32_t driver_features_lo;
	uint32_t driver_features_hi;
	uint32_t driver_status;  /* the status the driver asks for */
	uint32_t status_seq;     /* bumped after each driver_status write */
	uint32_t notify_seq;     /* bumped to notify the device of new avail entries */
	uint32_t reserved[3];
	struct vbe_fvq_drv_queue queue[2]; /* [VBE_FVQ_MAX_QUEUES] */
};

/** One device block: 256 bytes. */
struct vbe_fvq_devblock {
	struct vbe_fvq_dev_regs dev;
	struct vbe_fvq_drv_regs drv;
};

#endif /* VBE_FVQ_LAYOUT_H */
