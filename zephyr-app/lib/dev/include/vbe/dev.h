/* SPDX-License-Identifier: Apache-2.0 */
/*
 * vbe_dev: the transport-neutral device interface.
 *
 * A backend (virtio-i2c, virtio-scmi, the relay) is a const struct vbe_dev_ops and its own
 * state. It sees queues as struct vbe_vq (requests and segments) and never includes a
 * transport's header. Transports bind backends to guests: the fat window (vbe_fvq), rings in
 * a vhost-user guest's RAM (vbe_vhu), virtio-mmio registers behind a trap (vbe_mmio, e.g.
 * Xen's IOREQ).
 *
 * Transports that carry a virtio device status (the window and virtio-mmio) also share the
 * device state machine below, struct vbe_dev: feature negotiation (virtio 1.2, 3.1.1), the
 * queue checks at DRIVER_OK, reset (2.4), DEVICE_NEEDS_RESET latching (2.1.2) and running
 * the backend. They differ only in where the driver's values come from and how a
 * notification travels. See docs/transport.md.
 */

#ifndef VBE_DEV_H
#define VBE_DEV_H

#include <stdbool.h>
#include <stdint.h>

#include <vbe/virtio.h>
#include <vbe/vq.h>

/** Queues per device (virtio-scmi has two, virtio-i2c one). */
#define VBE_DEV_MAX_QUEUES 2

/** Bytes of device configuration space a backend may have. */
#define VBE_DEV_CONFIG_SIZE 64

/**
 * Chains one device may take in one service pass (vbe_dev_service()), over all its request
 * queues: the most one guest is served while the others wait, so a guest that keeps its
 * ring full cannot hold the service loop. A pass that spends it returns
 * VBE_DEV_SERVICE_MORE and the transport serves the device again in its next round, after
 * the other devices and guests. Override at build time (-DVBE_DEV_BUDGET=n, n >= 1).
 * See docs/transport.md, "Fair service".
 */
#ifndef VBE_DEV_BUDGET
#define VBE_DEV_BUDGET 32
#endif

/** vbe_dev_service() result bit: the budget ran out with chains maybe left; serve again. */
#define VBE_DEV_SERVICE_MORE 0x80000000
/** vbe_dev_service() result bit: the pass took at least one chain (work was done). */
#define VBE_DEV_SERVICE_TOOK 0x40000000

/* Ring features vbe_vq implements; every transport offers them for every device (6). */
#define VBE_DEV_RING_FEATURES                                                                  \
	((1ULL << VBE_VIRTIO_F_VERSION_1) | (1ULL << VBE_VIRTIO_F_EVENT_IDX) |                 \
	 (1ULL << VBE_VIRTIO_F_INDIRECT_DESC))

/**
 * Why a device raised DEVICE_NEEDS_RESET for a queue: 1..99 are enum vbe_vq_fault (a bad
 * descriptor chain); these are found by the transport. Values are ABI: the window's fault
 * field and pyhost use them.
 */
enum vbe_dev_fault {
	VBE_DEV_FAULT_QUEUE_SIZE = 100,   /* size not a power of two, 0, or > size_max */
	VBE_DEV_FAULT_QUEUE_RANGE = 101,  /* a ring part is outside the memory rings may use */
	VBE_DEV_FAULT_QUEUE_ALIGN = 102,  /* a ring part is misaligned (16/2/4 bytes) */
	VBE_DEV_FAULT_STATUS = 103,       /* driver cleared status bits without a reset */
	VBE_DEV_FAULT_DEVICE_START = 104, /* the device refused DRIVER_OK (e.g. queue disabled) */
	VBE_DEV_FAULT_QUEUE_OVERLAP = 105, /* a used ring overlaps a ring part of the device */
	VBE_DEV_FAULT_END,
};

/** A backend, as every transport sees it. All ops but service are optional. */
struct vbe_dev_ops {
	uint32_t device_id;         /* VBE_VIRTIO_ID_* */
	uint64_t features;          /* device-specific bits; transports add VBE_DEV_RING_FEATURES */
	uint64_t required_features; /* FEATURES_OK is refused unless the driver accepts these */
	uint16_t num_queues;        /* 1..VBE_DEV_MAX_QUEUES */
	uint16_t queue_size_max;    /* power of two */
	uint16_t config_size;       /* <= VBE_DEV_CONFIG_SIZE */
	/**
	 * Bit q: queue q is an event queue, filled by the device when it has something to send
	 * (virtio-scmi's eventq). Its buffers are not requests: they take nothing of the
	 * budget, vbe_dev_service() does not look for work there, and the backend arms its
	 * notifications itself when it waits for a buffer (vbe_vq_enable_notify()).
	 */
	uint16_t event_queues;
	/** Fill the configuration space (config_size bytes). */
	void (*get_config)(void *be, uint8_t *config);
	/**
	 * Forget everything: driver reset, or before first use. Chains in flight are void:
	 * the backend gives up the ones it holds with vbe_vq_drop() (its queues are still set
	 * up during this call; they are cleared after it).
	 */
	void (*reset)(void *be);
	/**
	 * DRIVER_OK: the queues are set up (vqs[i].size == 0 for a queue the driver left
	 * disabled). Return 0, or a negative errno to refuse (the device raises NEEDS_RESET).
	 */
	int (*start)(void *be, struct vbe_vq *vqs, uint64_t features);
	/**
	 * Chains may be available: pop, handle and push what can be done now, until vbe_vq_pop()
	 * says -EAGAIN (nothing left, or the pass budget is spent: VBE_DEV_BUDGET). The
	 * transport then re-arms driver notifications and calls again if a chain slipped in
	 * meanwhile.
	 */
	void (*service)(void *be);
};

/**
 * @brief Is a backend's ops table complete and in range?
 *
 * @retval 0 usable by every transport.
 * @retval -EINVAL NULL, no service op, device id 0, 0 or too many queues, queue_size_max
 *         not a power of two in 1..32768, config larger than VBE_DEV_CONFIG_SIZE.
 */
int vbe_dev_ops_check(const struct vbe_dev_ops *ops);

/**
 * @brief One service pass of a started backend; shared by every transport.
 *
 * Calls ops->service with a budget of VBE_DEV_BUDGET chains over the request queues (every
 * queue not in ops->event_queues). When the backend is idle, re-arms driver notifications
 * on each running request queue and services again while chains slipped in meanwhile, so
 * none is stranded. When the budget is spent first, notifications stay off and the result
 * carries VBE_DEV_SERVICE_MORE: the transport must run another pass without waiting for the
 * driver (after serving the others: that is the fairness). Broken queues are left to the
 * caller (vqs[q].broken): it raises NEEDS_RESET its own way.
 *
 * @param vqs the queues given to ops->start (not set up: not running).
 * @return bit q set when queue q's driver must be notified of used buffers,
 *         VBE_DEV_SERVICE_MORE when the pass stopped at its budget, VBE_DEV_SERVICE_TOOK
 *         when it took a chain.
 */
uint32_t vbe_dev_service(const struct vbe_dev_ops *ops, void *be, struct vbe_vq *vqs);

/**
 * @brief Name of a queue fault code: a set-up fault (enum vbe_dev_fault) or a ring fault
 * (enum vbe_vq_fault). Never NULL.
 */
const char *vbe_dev_fault_str(uint32_t fault);

/*
 * The device state machine of transports with a status register.
 */

/** One queue as the driver set it up, in the transport's address space. */
struct vbe_dev_queue_cfg {
	uint64_t desc;
	uint64_t avail;
	uint64_t used;
	uint16_t size;
	bool enabled;
};

/** A backend bound to a status-carrying transport. */
struct vbe_dev {
	const struct vbe_dev_ops *ops;
	void *be;
	struct vbe_vq vq[VBE_DEV_MAX_QUEUES];
	uint64_t features; /* negotiated (valid once FEATURES_OK is in status) */
	uint32_t status;   /* in force, as the driver reads it back */
	/* per queue: why NEEDS_RESET was raised (enum vbe_dev_fault or vbe_vq_fault); 0 none */
	uint32_t fault[VBE_DEV_MAX_QUEUES];
	/* feature bits the port does not offer (0 after init; kept across resets): a port
	 * measuring without VIRTIO_F_EVENT_IDX, say */
	uint64_t withheld;
	/* feature bits the transport offers on top of the backend's and requires of the driver
	 * (0 after init; kept across resets): VIRTIO_F_ACCESS_PLATFORM when buffers are grant
	 * references, not guest addresses */
	uint64_t platform;
	/* ring parts as DRIVER_OK mapped them through ring_mem; released at reset when
	 * ring_mem.release is set (memory mapped per use, such as grants) */
	struct vbe_vq_mem ring_mem;
	struct vbe_vq_seg ring_map[VBE_DEV_MAX_QUEUES][VBE_VQ_PARTS];
};

/**
 * @brief Bind a backend; the device is reset.
 * @retval 0 done. @retval -EINVAL as vbe_dev_ops_check().
 */
int vbe_dev_init(struct vbe_dev *d, const struct vbe_dev_ops *ops, void *be);

/** @brief Features offered to the driver: the backend's plus VBE_DEV_RING_FEATURES and
 * d->platform, less d->withheld. */
uint64_t vbe_dev_offered(const struct vbe_dev *d);

/**
 * @brief Device reset (virtio 1.2, 2.4): the backend's reset op runs (it drops the chains it
 * holds), the ring parts are released (ring_mem.release), then queues, features, status and
 * faults are forgotten. Fault counters (vq[].faults) are statistics and survive.
 */
void vbe_dev_reset(struct vbe_dev *d);

/**
 * @brief Apply one driver write of the device status (virtio 1.2, 3.1.1).
 *
 * 0 resets. Otherwise bits may only be added; a write that clears one raises NEEDS_RESET
 * (VBE_DEV_FAULT_STATUS). Setting FEATURES_OK checks @p driver_features: a bit that was
 * not offered, no VERSION_1 or a required feature missing leaves FEATURES_OK (and
 * DRIVER_OK) clear, as the spec wants the driver to find out; d->platform bits are
 * required as the backend's required_features are. Setting DRIVER_OK checks
 * every enabled queue of @p queues against @p ring_mem (size, alignment, range, overlap),
 * sets the rings up with @p buf_mem for their buffers and starts the backend. Nothing but
 * a reset gets out of NEEDS_RESET.
 *
 * @param queues the driver's queue set-up (ops->num_queues entries); read at DRIVER_OK.
 * @param ring_mem where ring parts may lie (xlate of each whole part; the parts stay mapped
 *        until the device resets).
 * @param buf_mem where buffers may lie (given to vbe_vq_init()).
 * @retval 0 applied (possibly with FEATURES_OK refused).
 * @retval -EIO NEEDS_RESET was raised by this write: d->fault[q] says why; the transport
 *         reports it and sends a configuration change notification.
 */
int vbe_dev_set_status(struct vbe_dev *d, uint32_t status, uint64_t driver_features,
		       const struct vbe_dev_queue_cfg *queues, const struct vbe_vq_mem *ring_mem,
		       const struct vbe_vq_mem *buf_mem);

/** @brief Is the device running (DRIVER_OK without NEEDS_RESET)? */
static inline bool vbe_dev_running(const struct vbe_dev *d)
{
	return (d->status & (VBE_VIRTIO_STATUS_DRIVER_OK | VBE_VIRTIO_STATUS_DEVICE_NEEDS_RESET)) ==
	       VBE_VIRTIO_STATUS_DRIVER_OK;
}

/**
 * @brief Has a queue of the device been pushed to outside a service pass (an event from
 * another agent or the platform, a late answer) without its driver being told? A transport
 * that skips idle devices runs the pass for these all the same (vbe_dev_run() signals).
 */
static inline bool vbe_dev_unsignalled(const struct vbe_dev *d)
{
	for (unsigned int q = 0U; q < d->ops->num_queues; q++) {
		if (vbe_vq_unsignalled(&d->vq[q])) {
			return true;
		}
	}
	return false;
}

/**
 * @brief Serve a running device once (vbe_dev_service()) and latch broken queues.
 *
 * @param broke set to a bit per queue that broke during this call (NEEDS_RESET raised,
 *        d->fault[q] set); the transport reports it and notifies a configuration change.
 * @return as vbe_dev_service(): notification bits, VBE_DEV_SERVICE_MORE (serve again without
 *         waiting for the driver), VBE_DEV_SERVICE_TOOK.
 */
uint32_t vbe_dev_run(struct vbe_dev *d, uint32_t *broke);

#endif /* VBE_DEV_H */
