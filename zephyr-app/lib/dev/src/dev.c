/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The transport-neutral device: ops checks, running a backend until idle, and the device
 * state machine shared by the transports that carry a status (window, virtio-mmio).
 * See vbe/dev.h and docs/transport.md.
 */

#include <errno.h>
#include <stddef.h>
#include <string.h>

#include <vbe/dev.h>
#include <vbe/virtio.h>
#include <vbe/vq.h>

_Static_assert(VBE_DEV_BUDGET >= 1, "a pass takes at least one chain");
_Static_assert(VBE_DEV_MAX_QUEUES < 30, "notification bits stay clear of the result flags");

int vbe_dev_ops_check(const struct vbe_dev_ops *ops)
{
	if (ops == NULL || ops->service == NULL || ops->device_id == 0U ||
	    ops->num_queues == 0U || ops->num_queues > VBE_DEV_MAX_QUEUES ||
	    ops->queue_size_max == 0U || (ops->queue_size_max & (ops->queue_size_max - 1U)) != 0U ||
	    ops->queue_size_max > VBE_VRING_SIZE_MAX || ops->config_size > VBE_DEV_CONFIG_SIZE ||
	    (ops->event_queues >> ops->num_queues) != 0U) {
		return -EINVAL;
	}
	return 0;
}

uint32_t vbe_dev_service(const struct vbe_dev_ops *ops, void *be, struct vbe_vq *vqs)
{
	uint32_t budget = VBE_DEV_BUDGET;
	uint32_t reqs = ((1U << ops->num_queues) - 1U) & ~(uint32_t)ops->event_queues;
	uint32_t result = 0U;

	for (unsigned int q = 0U; q < ops->num_queues; q++) {
		if ((reqs & (1U << q)) != 0U) {
			vbe_vq_budget(&vqs[q], &budget);
		}
	}
	for (unsigned int round = 0U;; round++) {
		uint32_t before = budget;
		bool again = false;

		ops->service(be);
		if (budget == 0U) {
			/* notifications stay off: the transport comes back after the others */
			result = VBE_DEV_SERVICE_MORE;
			break;
		}
		if (round > 0U && budget == before) {
			break; /* a recheck took nothing (e.g. a relay's table is full): its own wake-up */
		}
		/*
		 * Idle: re-arm driver notifications (avail_event / NO_NOTIFY) and look once more, so
		 * a chain published between the last pop and the re-arm is served, not stranded.
		 * enable_notify skips queues that are not set up or broken.
		 */
		for (unsigned int q = 0U; q < ops->num_queues; q++) {
			if ((reqs & (1U << q)) != 0U && vbe_vq_enable_notify(&vqs[q])) {
				again = true;
			}
		}
		if (!again) {
			break;
		}
	}
	if (budget != VBE_DEV_BUDGET) {
		result |= VBE_DEV_SERVICE_TOOK;
	}
	for (unsigned int q = 0U; q < ops->num_queues; q++) {
		vbe_vq_budget(&vqs[q], NULL);
		/* nothing pushed since the last notification: no need to look (and fence) */
		if ((vbe_vq_unsignalled(&vqs[q]) || !vqs[q].signalled_valid) &&
		    vbe_vq_should_notify(&vqs[q])) {
			result |= 1U << q;
		}
	}
	return result;
}

const char *vbe_dev_fault_str(uint32_t fault)
{
	switch (fault) {
	case VBE_DEV_FAULT_QUEUE_SIZE:
		return "queue size invalid";
	case VBE_DEV_FAULT_QUEUE_RANGE:
		return "ring part outside the ring area";
	case VBE_DEV_FAULT_QUEUE_ALIGN:
		return "ring part misaligned";
	case VBE_DEV_FAULT_STATUS:
		return "status bits cleared without a reset";
	case VBE_DEV_FAULT_DEVICE_START:
		return "device refused DRIVER_OK";
	case VBE_DEV_FAULT_QUEUE_OVERLAP:
		return "used ring overlaps a ring part";
	default:
		return vbe_vq_fault_str((enum vbe_vq_fault)fault);
	}
}

int vbe_dev_init(struct vbe_dev *d, const struct vbe_dev_ops *ops, void *be)
{
	if (d == NULL || vbe_dev_ops_check(ops) != 0) {
		return -EINVAL;
	}
	memset(d, 0, sizeof(*d));
	d->ops = ops;
	d->be = be;
	vbe_dev_reset(d);
	return 0;
}

uint64_t vbe_dev_offered(const struct vbe_dev *d)
{
	return (d->ops->features | VBE_DEV_RING_FEATURES | d->platform) & ~d->withheld;
}

/* Give back the ring parts DRIVER_OK mapped (memory mapped per use only). */
static void dev_release_rings(struct vbe_dev *d)
{
	for (unsigned int q = 0U; q < VBE_DEV_MAX_QUEUES; q++) {
		for (unsigned int k = 0U; k < VBE_VQ_PARTS; k++) {
			struct vbe_vq_seg *m = &d->ring_map[q][k];

			if (m->ptr != NULL && d->ring_mem.release != NULL) {
				d->ring_mem.release(d->ring_mem.ctx, m->ptr, m->len);
			}
			m->ptr = NULL;
		}
	}
}

void vbe_dev_reset(struct vbe_dev *d)
{
	/*
	 * The backend first: it drops the chains it holds while their queues can still release
	 * what was mapped for them. Then the rings, which the driver frees once the reset is
	 * seen: the status write that asked for it is answered after this returns.
	 */
	if (d->ops->reset != NULL) {
		d->ops->reset(d->be);
	}
	dev_release_rings(d);
	for (unsigned int q = 0U; q < VBE_DEV_MAX_QUEUES; q++) {
		vbe_vq_stop(&d->vq[q]); /* fault counters are statistics since boot: kept */
		d->fault[q] = 0U;
	}
	d->features = 0U;
	d->status = 0U;
}

/* Latch NEEDS_RESET for a queue (virtio 1.2, 2.1.2); the first fault of a latch is kept. */
static int dev_fail(struct vbe_dev *d, unsigned int q, uint32_t fault)
{
	bool first = (d->status & VBE_VIRTIO_STATUS_DEVICE_NEEDS_RESET) == 0U;

	d->status |= VBE_VIRTIO_STATUS_DEVICE_NEEDS_RESET;
	if (d->fault[q] == 0U) {
		d->fault[q] = fault;
	}
	return first ? -EIO : 0;
}

/*
 * Is a ring part aligned and inside ring memory? Returns 0 or an enum vbe_dev_fault. What it
 * maps is kept in @p map, for the reset to release.
 */
static uint32_t part_check(const struct vbe_vq_mem *ring_mem, const struct vbe_vq_span *part,
			   enum vbe_vq_part kind, struct vbe_vq_seg *map)
{
	if ((part->off % vbe_vq_part_align(kind)) != 0U) {
		return VBE_DEV_FAULT_QUEUE_ALIGN;
	}
	map->len = (uint32_t)part->len;
	map->ptr = ring_mem->xlate(ring_mem->ctx, part->off, map->len, kind == VBE_VQ_PART_USED);
	return map->ptr == NULL ? (uint32_t)VBE_DEV_FAULT_QUEUE_RANGE : 0U;
}

/*
 * Does a used ring overlap a ring part of the device (vbe_vq_rings_clash: its own queue's
 * or another's)? The device would write over what the driver wrote, or another queue's
 * answers. Returns the first queue whose used ring clashes, or -1.
 */
static int used_overlap(const struct vbe_vq_span part[][VBE_VQ_PARTS], unsigned int nq)
{
	for (unsigned int q = 0U; q < nq; q++) {
		for (unsigned int p = 0U; p <= q; p++) {
			if (vbe_vq_rings_clash(part[q], part[p], p == q)) {
				return (int)q;
			}
		}
	}
	return -1;
}

/* DRIVER_OK: check the driver's queue set-up and set the rings up. */
static int dev_start_queues(struct vbe_dev *d, const struct vbe_dev_queue_cfg *queues,
			    const struct vbe_vq_mem *ring_mem, const struct vbe_vq_mem *buf_mem)
{
	struct vbe_vq_span part[VBE_DEV_MAX_QUEUES][VBE_VQ_PARTS] = { 0 };
	int bad;

	d->ring_mem = *ring_mem;
	for (unsigned int q = 0U; q < d->ops->num_queues; q++) {
		/* one copy: the transport read the driver's values once */
		const struct vbe_dev_queue_cfg qc = queues[q];
		struct vbe_vq_seg *host = d->ring_map[q];
		uint32_t fault = 0U;

		if (!qc.enabled) {
			continue;
		}
		if (qc.size == 0U || (qc.size & (qc.size - 1U)) != 0U ||
		    qc.size > d->ops->queue_size_max) {
			return dev_fail(d, q, VBE_DEV_FAULT_QUEUE_SIZE);
		}
		part[q][VBE_VQ_PART_DESC].off = qc.desc;
		part[q][VBE_VQ_PART_AVAIL].off = qc.avail;
		part[q][VBE_VQ_PART_USED].off = qc.used;
		for (unsigned int k = 0U; k < VBE_VQ_PARTS && fault == 0U; k++) {
			part[q][k].len = vbe_vq_part_size((enum vbe_vq_part)k, qc.size);
			fault = part_check(ring_mem, &part[q][k], (enum vbe_vq_part)k, &host[k]);
		}
		if (fault != 0U) {
			return dev_fail(d, q, fault);
		}
		if (vbe_vq_init(&d->vq[q], qc.size, host[VBE_VQ_PART_DESC].ptr,
				host[VBE_VQ_PART_AVAIL].ptr, host[VBE_VQ_PART_USED].ptr, buf_mem,
				d->features) != 0) {
			return dev_fail(d, q, VBE_DEV_FAULT_QUEUE_SIZE);
		}
	}
	bad = used_overlap(part, d->ops->num_queues);
	if (bad >= 0) {
		return dev_fail(d, (unsigned int)bad, VBE_DEV_FAULT_QUEUE_OVERLAP);
	}
	return 0;
}

int vbe_dev_set_status(struct vbe_dev *d, uint32_t req, uint64_t driver_features,
		       const struct vbe_dev_queue_cfg *queues, const struct vbe_vq_mem *ring_mem,
		       const struct vbe_vq_mem *buf_mem)
{
	uint32_t added;
	int rc;

	if (req == 0U) {
		vbe_dev_reset(d);
		return 0;
	}
	if ((d->status & VBE_VIRTIO_STATUS_DEVICE_NEEDS_RESET) != 0U) {
		return 0; /* only a reset gets out of NEEDS_RESET */
	}
	req &= ~(uint32_t)VBE_VIRTIO_STATUS_DEVICE_NEEDS_RESET;
	if ((req & d->status) != d->status) {
		/* Bits go away only through a reset. */
		return dev_fail(d, 0U, VBE_DEV_FAULT_STATUS);
	}
	added = req & ~d->status;
	if ((added & VBE_VIRTIO_STATUS_FEATURES_OK) != 0U) {
		/*
		 * virtio 1.2, 3.1.1 step 6: refuse features we did not offer; modern only; and
		 * whatever the device type makes mandatory (virtio-i2c: ZERO_LENGTH_REQUEST) or
		 * the transport (ACCESS_PLATFORM where buffers are grant references: a driver
		 * without it would hand out guest addresses, 6.1).
		 */
		uint64_t required = d->ops->required_features | d->platform;

		if ((driver_features & ~vbe_dev_offered(d)) != 0U ||
		    (driver_features & (1ULL << VBE_VIRTIO_F_VERSION_1)) == 0U ||
		    (driver_features & required) != required) {
			req &= ~(uint32_t)VBE_VIRTIO_STATUS_FEATURES_OK;
			req &= ~(uint32_t)VBE_VIRTIO_STATUS_DRIVER_OK;
			added &= ~(uint32_t)VBE_VIRTIO_STATUS_DRIVER_OK;
		} else {
			d->features = driver_features;
		}
	}
	if ((added & VBE_VIRTIO_STATUS_DRIVER_OK) != 0U) {
		if ((req & VBE_VIRTIO_STATUS_FEATURES_OK) == 0U) {
			req &= ~(uint32_t)VBE_VIRTIO_STATUS_DRIVER_OK;
		} else {
			rc = dev_start_queues(d, queues, ring_mem, buf_mem);
			if ((d->status & VBE_VIRTIO_STATUS_DEVICE_NEEDS_RESET) != 0U) {
				return rc;
			}
			if (d->ops->start != NULL && d->ops->start(d->be, d->vq, d->features) != 0) {
				return dev_fail(d, 0U, VBE_DEV_FAULT_DEVICE_START);
			}
		}
	}
	d->status = req;
	return 0;
}

uint32_t vbe_dev_run(struct vbe_dev *d, uint32_t *broke)
{
	uint32_t notify;

	*broke = 0U;
	if (!vbe_dev_running(d)) {
		return 0U;
	}
	notify = vbe_dev_service(d->ops, d->be, d->vq);
	for (unsigned int q = 0U; q < d->ops->num_queues; q++) {
		if (d->vq[q].broken) {
			/* virtio 1.2, 2.1.2: NEEDS_RESET, then a configuration change notification */
			(void)dev_fail(d, q, (uint32_t)d->vq[q].fault);
			*broke |= 1U << q;
			notify &= ~(1U << q);
		}
	}
	return notify;
}
