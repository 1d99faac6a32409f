/* SPDX-License-Identifier: Apache-2.0 */
/*
 * vbe_fvq: the fat-virtqueue window transport, device side.
 *
 * One struct vbe_fvq serves one guest's window. Backends (virtio-i2c, virtio-scmi) plug
 * into its device slots through struct vbe_fvq_dev_ops. The transport runs the status and
 * feature handshakes, checks and sets up the queues at DRIVER_OK, calls the backend when
 * chains may be available, and sends used-buffer notifications. It never parses requests.
 * See docs/transport.md.
 */

#ifndef VBE_FVQ_H
#define VBE_FVQ_H

#include <stdbool.h>
#include <stdint.h>

#include <vbe/fvq_layout.h>
#include <vbe/vq.h>

/** Where the ring area starts: one page after the window start. */
#define VBE_FVQ_RING_OFF 4096

/** A backend, as a device slot sees it. All ops but service are optional. */
struct vbe_fvq_dev_ops {
	uint32_t device_id;       /* VBE_VIRTIO_ID_* */
	uint64_t features;        /* device-specific bits; the transport adds ring features */
	uint64_t required_features; /* FEATURES_OK is refused unless the driver accepts these */
	uint16_t num_queues;      /* 1..VBE_FVQ_MAX_QUEUES */
	uint16_t queue_size_max;  /* power of two */
	uint16_t config_size;     /* <= VBE_FVQ_CONFIG_SIZE */
	/** Fill the configuration space (config_size bytes). */
	void (*get_config)(void *be, uint8_t *config);
	/** Forget everything: driver reset, or before first use. Chains in flight are void. */
	void (*reset)(void *be);
	/**
	 * DRIVER_OK: the queues are set up (vqs[i].size == 0 for a queue the driver left
	 * disabled). Return 0, or a negative errno to refuse (the device raises NEEDS_RESET).
	 */
	int (*start)(void *be, struct vbe_vq *vqs, uint64_t features);
	/**
	 * Chains may be available: pop, handle and push what can be done now, until vbe_vq_pop()
	 * says -EAGAIN. The transport then re-arms driver notifications and calls again if a
	 * chain slipped in meanwhile.
	 */
	void (*service)(void *be);
};

/** Notification to the driver (doorbell); NULL for a polling-only window. */
struct vbe_fvq_notify {
	void (*notify)(void *ctx, uint16_t guest_id);
	void *ctx;
};

struct vbe_fvq_slot {
	const struct vbe_fvq_dev_ops *ops;
	void *be;
	struct vbe_vq vq[VBE_FVQ_MAX_QUEUES];
	uint64_t features;    /* negotiated */
	uint32_t status;      /* in force; mirrored to dev.device_status */
	uint32_t status_seen; /* last drv.status_seq handled */
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
	struct vbe_vq_mem mem;
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
 * @retval -EINVAL @p ops is incomplete or out of range (queues, sizes, config).
 */
int vbe_fvq_add_device(struct vbe_fvq *w, const struct vbe_fvq_dev_ops *ops, void *be);

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
 * Status writes (reset, features, DRIVER_OK), then available chains on every running
 * device, then used-buffer notifications.
 *
 * @param did_work set true when anything was handled (for a polling loop's back-off).
 * @retval 0 always, today; kept an int for port errors to come.
 */
int vbe_fvq_poll(struct vbe_fvq *w, bool *did_work);

/**
 * @brief Run a started backend until it is idle; shared by every transport.
 *
 * Calls ops->service, re-arms driver notifications on each running queue and services
 * again while chains slipped in meanwhile (a bounded number of rounds). Broken queues are
 * left to the caller (vqs[q].broken): it raises NEEDS_RESET its own way.
 *
 * @param vqs the queues given to ops->start (size 0: not running).
 * @return bit q set when queue q's driver must be notified of used buffers.
 */
uint32_t vbe_fvq_dev_service(const struct vbe_fvq_dev_ops *ops, void *be, struct vbe_vq *vqs);

/**
 * @brief Name of a queue fault code as found in vbe_fvq_dev_queue.fault: a set-up fault
 * (VBE_FVQ_FAULT_*) or a ring fault (enum vbe_vq_fault). Never NULL.
 */
const char *vbe_fvq_fault_str(uint32_t fault);

#endif /* VBE_FVQ_H */
