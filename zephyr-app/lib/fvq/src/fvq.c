/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Fat-virtqueue window transport, device side. See docs/transport.md.
 *
 * Driver-written fields are loaded once and checked; the values that matter (layout,
 * status, features) are kept in struct vbe_fvq and never read back from the window.
 */

#include <errno.h>
#include <stddef.h>
#include <string.h>

#include <vbe/fvq.h>
#include <vbe/port.h>
#include <vbe/shmem.h>
#include <vbe/virtio.h>

_Static_assert(sizeof(struct vbe_fvq_header) == 64, "header is 64 bytes");
_Static_assert(sizeof(struct vbe_fvq_devblock) == 256, "device block is 256 bytes");
_Static_assert(offsetof(struct vbe_fvq_devblock, drv) % 64 == 0,
	       "driver-written fields start a new cache line");
_Static_assert(sizeof(((struct vbe_fvq_dev_regs *)0)->queue) /
			       sizeof(struct vbe_fvq_dev_queue) ==
		       VBE_FVQ_MAX_QUEUES,
	       "dev queue array matches VBE_FVQ_MAX_QUEUES");
_Static_assert(sizeof(((struct vbe_fvq_drv_regs *)0)->queue) /
			       sizeof(struct vbe_fvq_drv_queue) ==
		       VBE_FVQ_MAX_QUEUES,
	       "drv queue array matches VBE_FVQ_MAX_QUEUES");
_Static_assert(sizeof(((struct vbe_fvq_dev_regs *)0)->config) == VBE_FVQ_CONFIG_SIZE,
	       "config array matches VBE_FVQ_CONFIG_SIZE");
_Static_assert(VBE_FVQ_RING_OFF >= sizeof(struct vbe_fvq_header) +
					   VBE_FVQ_MAX_DEVICES * sizeof(struct vbe_fvq_devblock),
	       "header and device blocks fit below the ring area");

/* Features the transport handles for every device (virtio 1.2, 6). */
#define FVQ_TRANSPORT_FEATURES                                                                 \
	((1ULL << VBE_VIRTIO_F_VERSION_1) | (1ULL << VBE_VIRTIO_F_EVENT_IDX) |                 \
	 (1ULL << VBE_VIRTIO_F_INDIRECT_DESC))

#define FVQ_DATA_MIN 4096U

/* Translate-and-check for the fat window: buffers must lie inside the data area. */
static void *fvq_xlate(void *ctx, uint64_t addr, uint32_t len, bool write)
{
	struct vbe_fvq *w = ctx;
	uint64_t start = w->data_off;
	uint64_t end = start + w->data_size;

	(void)write;
	/* addr and len are at most 64 + 32 bits: compare without computing addr + len. */
	if (addr < start || addr > end || (uint64_t)len > end - addr) {
		return NULL;
	}
	return w->base + addr;
}

/* Device blocks follow the header directly. */
static struct vbe_fvq_devblock *fvq_block(const struct vbe_fvq *w, unsigned int idx)
{
	return (struct vbe_fvq_devblock *)(w->base + sizeof(struct vbe_fvq_header) +
					   idx * sizeof(struct vbe_fvq_devblock));
}

int vbe_fvq_init(struct vbe_fvq *w, void *base, uint32_t size, uint16_t guest_id,
		 uint32_t ring_size)
{
	if (w == NULL || base == NULL || ((uintptr_t)base % 8U) != 0U) {
		return -EINVAL;
	}
	if (ring_size == 0U || (ring_size % 64U) != 0U || size < VBE_FVQ_RING_OFF ||
	    size - VBE_FVQ_RING_OFF < ring_size || size - VBE_FVQ_RING_OFF - ring_size <
							       FVQ_DATA_MIN) {
		return -EINVAL;
	}
	memset(w, 0, sizeof(*w));
	w->base = base;
	w->size = size;
	w->guest_id = guest_id;
	w->ring_off = VBE_FVQ_RING_OFF;
	w->ring_size = ring_size;
	w->data_off = VBE_FVQ_RING_OFF + ring_size;
	w->data_size = size - w->data_off;
	w->mem.xlate = fvq_xlate;
	w->mem.ctx = w;
	return 0;
}

int vbe_fvq_add_device(struct vbe_fvq *w, const struct vbe_fvq_dev_ops *ops, void *be)
{
	if (w->num_devices >= VBE_FVQ_MAX_DEVICES) {
		return -ENOSPC;
	}
	if (ops == NULL || ops->service == NULL || ops->device_id == 0U ||
	    ops->num_queues == 0U || ops->num_queues > VBE_FVQ_MAX_QUEUES ||
	    ops->queue_size_max == 0U || (ops->queue_size_max & (ops->queue_size_max - 1U)) != 0U ||
	    ops->queue_size_max > VBE_VRING_SIZE_MAX || ops->config_size > VBE_FVQ_CONFIG_SIZE) {
		return -EINVAL;
	}
	w->slot[w->num_devices].ops = ops;
	w->slot[w->num_devices].be = be;
	w->num_devices++;
	return 0;
}

static uint64_t slot_features(const struct vbe_fvq_slot *s)
{
	return s->ops->features | FVQ_TRANSPORT_FEATURES;
}

/* Device reset (virtio 1.2, 2.4): forget queues, features and status. */
static void slot_reset(struct vbe_fvq_slot *s, struct vbe_fvq_devblock *b)
{
	for (unsigned int q = 0U; q < VBE_FVQ_MAX_QUEUES; q++) {
		uint32_t faults[VBE_VQ_FAULT_COUNT];

		/* Fault counters are statistics since boot: they survive resets. */
		memcpy(faults, s->vq[q].faults, sizeof(faults));
		memset(&s->vq[q], 0, sizeof(s->vq[q]));
		memcpy(s->vq[q].faults, faults, sizeof(faults));
		vbe_st32(&b->dev.queue[q].fault, 0U);
		vbe_st32(&b->dev.queue[q].interrupt_seq, s->irq_seq[q]);
	}
	if (s->ops->reset != NULL) {
		s->ops->reset(s->be);
	}
	s->features = 0U;
	s->status = 0U;
}

/* Write the device-owned half of a block, as at power-on. */
static void slot_publish(struct vbe_fvq_slot *s, struct vbe_fvq_devblock *b)
{
	uint64_t features = slot_features(s);

	memset(&b->dev, 0, sizeof(b->dev));
	vbe_st32(&b->dev.device_id, s->ops->device_id);
	vbe_st32(&b->dev.vendor_id, VBE_FVQ_VENDOR_ID);
	vbe_st32(&b->dev.device_features_lo, (uint32_t)features);
	vbe_st32(&b->dev.device_features_hi, (uint32_t)(features >> 32));
	vbe_st16(&b->dev.num_queues, s->ops->num_queues);
	vbe_st16(&b->dev.config_size, s->ops->config_size);
	for (unsigned int q = 0U; q < s->ops->num_queues; q++) {
		vbe_st16(&b->dev.queue[q].size_max, s->ops->queue_size_max);
		vbe_st32(&b->dev.queue[q].interrupt_seq, s->irq_seq[q]);
	}
	if (s->ops->get_config != NULL) {
		s->ops->get_config(s->be, b->dev.config);
	}
	/* Whatever the driver left in its half is stale from an earlier boot: start from zero. */
	s->status_seen = vbe_ld32(&b->drv.status_seq);
	vbe_st32(&b->dev.status_ack, s->status_seen);
}

void vbe_fvq_publish(struct vbe_fvq *w, const struct vbe_fvq_notify *notify)
{
	struct vbe_fvq_header *h = (struct vbe_fvq_header *)w->base;

	if (notify != NULL) {
		w->notify = *notify;
	}
	/* Hide the window while it is rebuilt: the driver must not see half a layout. */
	vbe_st32(&h->magic, 0U);
	vbe_st32(&h->backend_state, VBE_FVQ_BACKEND_DOWN);
	vbe_wmb(); /* the hiding before the rebuild: pairs with the driver's rmb after magic */
	w->boot_seq = vbe_ld32(&h->boot_seq) + 1U;

	for (unsigned int i = 0U; i < w->num_devices; i++) {
		slot_reset(&w->slot[i], fvq_block(w, i));
		slot_publish(&w->slot[i], fvq_block(w, i));
	}
	vbe_st16(&h->version_major, VBE_FVQ_VERSION_MAJOR);
	vbe_st16(&h->version_minor, VBE_FVQ_VERSION_MINOR);
	vbe_st32(&h->window_size, w->size);
	vbe_st16(&h->num_devices, w->num_devices);
	vbe_st16(&h->guest_id, w->guest_id);
	vbe_st32(&h->devblock_off, (uint32_t)((uint8_t *)fvq_block(w, 0U) - w->base));
	vbe_st32(&h->devblock_size, sizeof(struct vbe_fvq_devblock));
	vbe_st32(&h->ring_off, w->ring_off);
	vbe_st32(&h->ring_size, w->ring_size);
	vbe_st32(&h->data_off, w->data_off);
	vbe_st32(&h->data_size, w->data_size);
	vbe_st32(&h->boot_seq, w->boot_seq);
	vbe_st32(&h->notify_methods, VBE_FVQ_NOTIFY_POLL |
					     (w->notify.notify != NULL ? VBE_FVQ_NOTIFY_DOORBELL : 0U));
	vbe_st32(&h->backend_state, VBE_FVQ_BACKEND_READY);
	/* Everything above before the magic: pairs with the driver's rmb after reading magic. */
	vbe_wmb();
	vbe_st32(&h->magic, VBE_FVQ_MAGIC);
	VBE_LOG(VBE_LOG_INF, "fvq: guest %u window ready: %u devices, data %u bytes at +0x%x",
		(unsigned int)w->guest_id, (unsigned int)w->num_devices,
		(unsigned int)w->data_size, (unsigned int)w->data_off);
}

const char *vbe_fvq_fault_str(uint32_t fault)
{
	switch (fault) {
	case VBE_FVQ_FAULT_QUEUE_SIZE:
		return "queue size invalid";
	case VBE_FVQ_FAULT_QUEUE_RANGE:
		return "ring part outside the ring area";
	case VBE_FVQ_FAULT_QUEUE_ALIGN:
		return "ring part misaligned";
	case VBE_FVQ_FAULT_STATUS:
		return "status bits cleared without a reset";
	case VBE_FVQ_FAULT_DEVICE_START:
		return "device refused DRIVER_OK";
	case VBE_FVQ_FAULT_QUEUE_OVERLAP:
		return "used ring overlaps a ring part";
	default:
		return vbe_vq_fault_str((enum vbe_vq_fault)fault);
	}
}

/* Raise DEVICE_NEEDS_RESET for a queue. Reported once per latch: only a reset clears it. */
static void slot_fail(const struct vbe_fvq *w, struct vbe_fvq_slot *s, struct vbe_fvq_devblock *b,
		      unsigned int q, uint32_t fault)
{
	if ((s->status & VBE_VIRTIO_STATUS_DEVICE_NEEDS_RESET) == 0U) {
		VBE_LOG(VBE_LOG_WRN,
			"fvq: guest %u device %u (virtio id %u) queue %u: fault %u (%s); "
			"device needs reset",
			(unsigned int)w->guest_id, (unsigned int)(s - w->slot),
			(unsigned int)s->ops->device_id, q, (unsigned int)fault,
			vbe_fvq_fault_str(fault));
	}
	s->status |= VBE_VIRTIO_STATUS_DEVICE_NEEDS_RESET;
	vbe_st32(&b->dev.queue[q].fault, fault);
}

/* Is [off, off + len) inside the ring area and aligned? Returns 0 or a VBE_FVQ_FAULT_*. */
static uint32_t ring_part_check(const struct vbe_fvq *w, uint32_t off, uint32_t len,
				uint32_t align)
{
	if ((off % align) != 0U) {
		return VBE_FVQ_FAULT_QUEUE_ALIGN;
	}
	if (off < w->ring_off || off - w->ring_off > w->ring_size ||
	    len > w->ring_size - (off - w->ring_off)) {
		return VBE_FVQ_FAULT_QUEUE_RANGE;
	}
	return 0U;
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

/* DRIVER_OK: check the driver's queue set-up and start the rings. */
static int slot_start_queues(struct vbe_fvq *w, struct vbe_fvq_slot *s, struct vbe_fvq_devblock *b)
{
	/* the values checked, read once: the driver may change the registers meanwhile */
	struct vbe_vq_span part[VBE_FVQ_MAX_QUEUES][VBE_VQ_PARTS] = { 0 };
	int bad;

	for (unsigned int q = 0U; q < s->ops->num_queues; q++) {
		const struct vbe_fvq_drv_queue *dq = &b->drv.queue[q];
		uint16_t size = vbe_ld16(&dq->size);
		uint32_t desc = vbe_ld32(&dq->desc_off);
		uint32_t avail = vbe_ld32(&dq->avail_off);
		uint32_t used = vbe_ld32(&dq->used_off);
		uint32_t fault;

		if (vbe_ld16(&dq->enable) == 0U) {
			continue;
		}
		if (size == 0U || (size & (size - 1U)) != 0U || size > s->ops->queue_size_max) {
			slot_fail(w, s, b, q, VBE_FVQ_FAULT_QUEUE_SIZE);
			return -EINVAL;
		}
		part[q][VBE_VQ_PART_DESC] = (struct vbe_vq_span){ desc, 0U };
		part[q][VBE_VQ_PART_AVAIL] = (struct vbe_vq_span){ avail, 0U };
		part[q][VBE_VQ_PART_USED] = (struct vbe_vq_span){ used, 0U };
		fault = 0U;
		for (unsigned int k = 0U; k < VBE_VQ_PARTS && fault == 0U; k++) {
			part[q][k].len = vbe_vq_part_size((enum vbe_vq_part)k, size);
			fault = ring_part_check(w, (uint32_t)part[q][k].off,
						(uint32_t)part[q][k].len,
						vbe_vq_part_align((enum vbe_vq_part)k));
		}
		if (fault != 0U) {
			slot_fail(w, s, b, q, fault);
			return -EINVAL;
		}
		if (vbe_vq_init(&s->vq[q], size, w->base + desc, w->base + avail, w->base + used,
				&w->mem, s->features) != 0) {
			slot_fail(w, s, b, q, VBE_FVQ_FAULT_QUEUE_SIZE);
			return -EINVAL;
		}
	}
	bad = used_overlap(part, s->ops->num_queues);
	if (bad >= 0) {
		slot_fail(w, s, b, (unsigned int)bad, VBE_FVQ_FAULT_QUEUE_OVERLAP);
		return -EINVAL;
	}
	return 0;
}

/* Apply one driver status write (virtio 1.2, 3.1.1). */
static void slot_set_status(struct vbe_fvq *w, struct vbe_fvq_slot *s, struct vbe_fvq_devblock *b,
			    uint32_t req)
{
	uint32_t added;

	if (req == 0U) {
		slot_reset(s, b);
		return;
	}
	if ((s->status & VBE_VIRTIO_STATUS_DEVICE_NEEDS_RESET) != 0U) {
		return; /* only a reset gets out of NEEDS_RESET */
	}
	req &= ~(uint32_t)VBE_VIRTIO_STATUS_DEVICE_NEEDS_RESET;
	if ((req & s->status) != s->status) {
		/* Bits go away only through a reset. */
		slot_fail(w, s, b, 0U, VBE_FVQ_FAULT_STATUS);
		return;
	}
	added = req & ~s->status;
	if ((added & VBE_VIRTIO_STATUS_FEATURES_OK) != 0U) {
		uint64_t drv = vbe_ld32(&b->drv.driver_features_lo) |
			       ((uint64_t)vbe_ld32(&b->drv.driver_features_hi) << 32);

		/*
		 * virtio 1.2, 3.1.1 step 6: refuse features we did not offer; modern only; and
		 * whatever the device type makes mandatory (virtio-i2c: ZERO_LENGTH_REQUEST).
		 */
		if ((drv & ~slot_features(s)) != 0U ||
		    (drv & (1ULL << VBE_VIRTIO_F_VERSION_1)) == 0U ||
		    (drv & s->ops->required_features) != s->ops->required_features) {
			req &= ~(uint32_t)VBE_VIRTIO_STATUS_FEATURES_OK;
			req &= ~(uint32_t)VBE_VIRTIO_STATUS_DRIVER_OK;
			added &= ~(uint32_t)VBE_VIRTIO_STATUS_DRIVER_OK;
		} else {
			s->features = drv;
		}
	}
	if ((added & VBE_VIRTIO_STATUS_DRIVER_OK) != 0U) {
		if ((req & VBE_VIRTIO_STATUS_FEATURES_OK) == 0U) {
			req &= ~(uint32_t)VBE_VIRTIO_STATUS_DRIVER_OK;
		} else if (slot_start_queues(w, s, b) != 0) {
			return;
		} else if (s->ops->start != NULL && s->ops->start(s->be, s->vq, s->features) != 0) {
			slot_fail(w, s, b, 0U, VBE_FVQ_FAULT_DEVICE_START);
			return;
		}
	}
	s->status = req;
}

static bool slot_poll_status(struct vbe_fvq *w, struct vbe_fvq_slot *s, struct vbe_fvq_devblock *b)
{
	uint32_t seq = vbe_ld32(&b->drv.status_seq);

	if (seq == s->status_seen) {
		return false;
	}
	/* Pairs with the driver's wmb between writing driver_status and bumping status_seq. */
	vbe_rmb();
	slot_set_status(w, s, b, vbe_ld32(&b->drv.driver_status));
	s->status_seen = seq;
	vbe_st32(&b->dev.device_status, s->status);
	/* The status before its acknowledgement: pairs with the driver's rmb after status_ack. */
	vbe_wmb();
	vbe_st32(&b->dev.status_ack, seq);
	return true;
}

static void fvq_notify(struct vbe_fvq *w)
{
	if (w->notify.notify != NULL) {
		w->notify.notify(w->notify.ctx, w->guest_id);
	}
}

static bool slot_poll_queues(struct vbe_fvq *w, struct vbe_fvq_slot *s, struct vbe_fvq_devblock *b)
{
	uint32_t before[VBE_FVQ_MAX_QUEUES];
	uint32_t notify;
	bool worked = false;

	if ((s->status & VBE_VIRTIO_STATUS_DRIVER_OK) == 0U ||
	    (s->status & VBE_VIRTIO_STATUS_DEVICE_NEEDS_RESET) != 0U) {
		return false;
	}
	for (unsigned int q = 0U; q < s->ops->num_queues; q++) {
		before[q] = s->vq[q].popped;
	}
	vbe_st32(&b->dev.notify_seen, vbe_ld32(&b->drv.notify_seq));
	notify = vbe_fvq_dev_service(s->ops, s->be, s->vq);

	for (unsigned int q = 0U; q < s->ops->num_queues; q++) {
		struct vbe_vq *vq = &s->vq[q];

		if (vq->size == 0U) {
			continue;
		}
		worked = worked || vq->popped != before[q];
		if (vq->broken) {
			/* virtio 1.2, 2.1.2: NEEDS_RESET, then a configuration change notification */
			slot_fail(w, s, b, q, vq->fault);
			vbe_st32(&b->dev.device_status, s->status);
			fvq_notify(w);
			worked = true;
			continue;
		}
		if ((notify & (1U << q)) != 0U) {
			s->irq_seq[q]++;
			vbe_st32(&b->dev.queue[q].interrupt_seq, s->irq_seq[q]);
			fvq_notify(w);
		}
	}
	return worked;
}

int vbe_fvq_poll(struct vbe_fvq *w, bool *did_work)
{
	bool worked = false;

	for (unsigned int i = 0U; i < w->num_devices; i++) {
		struct vbe_fvq_slot *s = &w->slot[i];
		struct vbe_fvq_devblock *b = fvq_block(w, i);

		worked = slot_poll_status(w, s, b) || worked;
		worked = slot_poll_queues(w, s, b) || worked;
	}
	if (did_work != NULL) {
		*did_work = worked;
	}
	return 0;
}
