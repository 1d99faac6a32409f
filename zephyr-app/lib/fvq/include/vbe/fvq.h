/* SPDX-License-Identifier: Apache-2.0 */
/*
 * vbe_fvq: the fat-virtqueue window transport, device side.
 *
 * One struct vbe_fvq serves one guest's window. Backends (virtio-i2c, virtio-scmi) plug
 * into its device slots through the transport-neutral struct vbe_dev_ops (vbe/dev.h). The
 * transport carries the status and feature handshakes to the device state machine
 * (struct vbe_dev), gives it the queue set-up at DRIVER_OK, calls the backend when chains
 * may be available, and sends used-buffer notifications. It never parses requests.
 * See docs/transport.md.
 */

#ifndef VBE_FVQ_H
#define VBE_FVQ_H

#include <stdbool.h>
#include <stdint.h>

#include <vbe/dev.h>
#include <vbe/fvq_layout.h>
#include <vbe/vq.h>

/** Where the ring area starts: one page after the window start. */
#define VBE_FVQ_RING_OFF 4096

/** Notification to the driver (doorbell); NULL for a polling-only window. */
struct vbe_fvq_notify {
	void (*notify)(void *ctx, uint16_t guest_id);
	void *ctx;
};

struct vbe_fvq_slot {
	struct vbe_dev dev;   /* the backend and its device state */
	uint32_t status_seen; /* last drv.status_seq handled */
	uint32_t notify_seen; /* last drv.notify_seq acted on (our copy, never read back) */
	bool more;            /* the last pass stopped at its budget: serve without a notify */
	uint32_t irq_seq[VBE_FVQ_MAX_QUEUES]; /* used-buffer notifications sent, per queue */
};

struct vbe_fvq {
	uint8_t *base;
	uint32_t size;
	/* our own copies: the driver can scribble over the header, we never read it back */
	uint32_t ring_off;
	uint32_t ring_size;
	uint32_t data_off;
	uint32_t data_size;
	uint32_t boot_seq;
	uint16_t guest_id;
	uint16_t num_devices;
	struct vbe_vq_mem mem;      /* buffers: the data area */
	struct vbe_vq_mem ring_mem; /* ring parts: the ring area */
	struct vbe_fvq_notify notify;
	struct vbe_fvq_slot slot[VBE_FVQ_MAX_DEVICES];
};

/**
 * @brief Lay a window out (nothing is visible to the driver until vbe_fvq_publish()).
 *
 * @param base window start, 8-byte aligned; @p size bytes the device may touch.
 * @param ring_size bytes of ring area, a multiple of 64; the data area is the rest.
 * @retval 0 done.
 * @retval -EINVAL misaligned base, or a window too small for the header, the device
 *         blocks, @p ring_size and at least one page of data.
 */
int vbe_fvq_init(struct vbe_fvq *w, void *base, uint32_t size, uint16_t guest_id,
		 uint32_t ring_size);

/**
 * @brief Put a backend in the next device slot.
 *
 * @retval 0 done.
 * @retval -ENOSPC all VBE_FVQ_MAX_DEVICES slots are taken.
 * @retval -EINVAL @p ops is incomplete or out of range (vbe_dev_ops_check()).
 */
int vbe_fvq_add_device(struct vbe_fvq *w, const struct vbe_dev_ops *ops, void *be);

/**
 * @brief Write the header and device blocks, magic last, and mark the backend ready.
 *
 * Called at boot and again to restart: every device is reset and boot_seq is bumped, so a
 * driver can tell a restarted backend from the one it negotiated with.
 */
void vbe_fvq_publish(struct vbe_fvq *w, const struct vbe_fvq_notify *notify);

/**
 * @brief Handle everything the driver has asked for since the last call.
 *
 * Status writes (reset, features, DRIVER_OK), then one service pass (vbe_dev_service(), at
 * most VBE_DEV_BUDGET chains) of every running device that has something to do: its driver
 * notified (notify_seq moved), its last pass stopped at the budget, or chains were
 * completed outside a pass that its driver was not told about. Then used-buffer
 * notifications. An idle device costs two loads and compares.
 *
 * @param did_work set true when anything was handled or a pass stopped at its budget (a
 *        polling loop must come back at once).
 * @retval 0 always, today; kept an int for port errors to come.
 */
int vbe_fvq_poll(struct vbe_fvq *w, bool *did_work);

#endif /* VBE_FVQ_H */
