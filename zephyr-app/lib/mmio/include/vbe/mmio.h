/* SPDX-License-Identifier: Apache-2.0 */
/*
 * vbe_mmio: a virtio-mmio device (virtio 1.2, 4.2, version 2 only), driven by register
 * reads and writes that a trap delivers (Xen's IOREQ, a hypervisor's MMIO exit, a test).
 *
 * The register file is modelled here; the device state (features, status, queue checks,
 * NEEDS_RESET) is struct vbe_dev's, shared with the window transport. Rings and buffers
 * are guest-physical: every address goes through the translate-and-check callback the port
 * gives (vbe_memtab over the guest RAM it mapped, or a grant mapper). Nothing here blocks or
 * allocates; a QueueNotify write only marks the queue, and vbe_mmio_poll() serves it, so a
 * trap can be answered before the backend runs. See docs/xen.md.
 */

#ifndef VBE_MMIO_H
#define VBE_MMIO_H

#include <stdbool.h>
#include <stdint.h>

#include <vbe/dev.h>
#include <vbe/vq.h>

/* Register offsets (virtio 1.2, 4.2.2, table "MMIO Device Register Layout") */
#define VBE_MMIO_MAGIC_VALUE 0x000
#define VBE_MMIO_VERSION 0x004
#define VBE_MMIO_DEVICE_ID 0x008
#define VBE_MMIO_VENDOR_ID 0x00c
#define VBE_MMIO_DEVICE_FEATURES 0x010
#define VBE_MMIO_DEVICE_FEATURES_SEL 0x014
#define VBE_MMIO_DRIVER_FEATURES 0x020
#define VBE_MMIO_DRIVER_FEATURES_SEL 0x024
#define VBE_MMIO_QUEUE_SEL 0x030
#define VBE_MMIO_QUEUE_NUM_MAX 0x034
#define VBE_MMIO_QUEUE_NUM 0x038
#define VBE_MMIO_QUEUE_READY 0x044
#define VBE_MMIO_QUEUE_NOTIFY 0x050
#define VBE_MMIO_INTERRUPT_STATUS 0x060
#define VBE_MMIO_INTERRUPT_ACK 0x064
#define VBE_MMIO_STATUS 0x070
#define VBE_MMIO_QUEUE_DESC_LOW 0x080
#define VBE_MMIO_QUEUE_DESC_HIGH 0x084
#define VBE_MMIO_QUEUE_DRIVER_LOW 0x090
#define VBE_MMIO_QUEUE_DRIVER_HIGH 0x094
#define VBE_MMIO_QUEUE_DEVICE_LOW 0x0a0
#define VBE_MMIO_QUEUE_DEVICE_HIGH 0x0a4
#define VBE_MMIO_SHM_SEL 0x0ac
#define VBE_MMIO_SHM_LEN_LOW 0x0b0
#define VBE_MMIO_SHM_LEN_HIGH 0x0b4
#define VBE_MMIO_SHM_BASE_LOW 0x0b8
#define VBE_MMIO_SHM_BASE_HIGH 0x0bc
#define VBE_MMIO_CONFIG_GENERATION 0x0fc
#define VBE_MMIO_CONFIG 0x100

/** Bytes of one device's register window (the device tree's reg size). */
#define VBE_MMIO_WINDOW_SIZE 0x200

#define VBE_MMIO_MAGIC 0x74726976 /* "virt" */
#define VBE_MMIO_VENDOR 0x00454256 /* "VBE", as the window transport */

/* InterruptStatus bits (virtio 1.2, 4.2.2) */
#define VBE_MMIO_INT_VRING 0x1
#define VBE_MMIO_INT_CONFIG 0x2

/** Why an access was refused (struct vbe_mmio.refused[]); the driver broke a MUST. */
enum vbe_mmio_refusal {
	VBE_MMIO_BAD_WIDTH = 0,   /* control register not a 32-bit aligned access (4.2.2.2) */
	VBE_MMIO_BAD_CONFIG = 1,  /* config access not 1/2/4 bytes naturally aligned, or past it */
	VBE_MMIO_BAD_OFFSET = 2,  /* no register there */
	VBE_MMIO_BAD_DIRECTION = 3, /* read of a write-only or write of a read-only register */
	VBE_MMIO_BAD_QUEUE = 4,   /* queue register with QueueSel past the device's queues */
	VBE_MMIO_BAD_LIVE = 5,    /* queue set-up changed while QueueReady is 1 (4.2.3.2) */
	VBE_MMIO_REFUSAL_COUNT,
};

/** How the device reaches the driver: its interrupt line. */
struct vbe_mmio_irq {
	/**
	 * Assert (@p level true) or release the device's interrupt. Called with true for every
	 * new event (a hypervisor that ignores level 0, such as Xen 4.17's vGIC, injects once
	 * per call), with false once the driver acknowledged every event.
	 */
	void (*set)(void *ctx, bool level);
	void *ctx;
};

/** One queue's registers as the driver wrote them. */
struct vbe_mmio_queue {
	struct vbe_dev_queue_cfg cfg; /* size, ring addresses, enabled = QueueReady */
	bool kicked;                  /* QueueNotify since the last vbe_mmio_poll() */
};

/** Counters, kept across resets. */
struct vbe_mmio_stats {
	uint32_t reads;
	uint32_t writes;
	uint32_t notifies;   /* QueueNotify writes */
	uint32_t interrupts; /* irq.set(true) calls */
	uint32_t resets;     /* status 0 writes */
	uint32_t refused[VBE_MMIO_REFUSAL_COUNT];
};

struct vbe_mmio {
	struct vbe_dev dev;
	struct vbe_vq_mem mem; /* guest memory: ring parts and buffers */
	struct vbe_mmio_irq irq;
	uint32_t device_features_sel;
	uint32_t driver_features_sel;
	uint32_t queue_sel;
	uint64_t driver_features;
	uint32_t interrupt_status;
	uint32_t config_generation;
	struct vbe_mmio_queue queue[VBE_DEV_MAX_QUEUES];
	bool more; /* the last pass spent its budget (VBE_DEV_SERVICE_MORE): serve again */
	struct vbe_mmio_stats stats;
};

/**
 * @brief Bind a backend to a virtio-mmio register file.
 *
 * @param mem translate-and-check over what the device may reach of the guest (rings and
 *        buffers); it must stay valid while the device runs.
 * @param irq the device's interrupt.
 * @retval 0 done; the device is reset.
 * @retval -EINVAL NULL argument or an incomplete ops table (vbe_dev_ops_check()).
 */
int vbe_mmio_init(struct vbe_mmio *m, const struct vbe_dev_ops *ops, void *be,
		  const struct vbe_vq_mem *mem, const struct vbe_mmio_irq *irq);

/**
 * @brief A trapped read.
 *
 * @param off offset in the register window (< VBE_MMIO_WINDOW_SIZE).
 * @param size 1, 2, 4 or 8 bytes.
 * @param val the value the driver reads (0 when the access is refused).
 * @retval 0 served.
 * @retval -EINVAL refused (counted in stats.refused, never a fault of the device): the
 *         driver broke virtio 1.2, 4.2.2.2; it reads 0, as from an unimplemented register.
 */
int vbe_mmio_read(struct vbe_mmio *m, uint32_t off, uint8_t size, uint64_t *val);

/**
 * @brief A trapped write.
 *
 * @retval 0 served (a status write may have raised NEEDS_RESET: see dev.fault).
 * @retval -EINVAL refused and ignored (counted in stats.refused).
 */
int vbe_mmio_write(struct vbe_mmio *m, uint32_t off, uint8_t size, uint64_t val);

/**
 * @brief Serve what the driver asked for since the last call.
 *
 * Runs the backend when a queue was notified, when the last pass spent its budget with
 * chains maybe left (vbe_mmio_more()), or when @p all is set (a polling port); raises the
 * interrupt for used buffers the ring says to signal and for a configuration change
 * (NEEDS_RESET).
 *
 * @return true when anything was done.
 */
bool vbe_mmio_poll(struct vbe_mmio *m, bool all);

/**
 * @brief Whether the device must be served again without a new notify: its last pass
 * stopped at VBE_DEV_BUDGET. A port that blocks for events must call vbe_mmio_poll()
 * (vbe_ioreq_poll()) again first, after its other devices and domains had their turn.
 */
bool vbe_mmio_more(const struct vbe_mmio *m);

/** @brief Name of a refusal class, for logs. Never NULL. */
const char *vbe_mmio_refusal_str(enum vbe_mmio_refusal r);

#endif /* VBE_MMIO_H */
