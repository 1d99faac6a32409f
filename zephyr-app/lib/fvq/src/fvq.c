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
_Static_assert(VBE_FVQ_MAX_QUEUES == VBE_DEV_MAX_QUEUES, "window queue slots match vbe_dev");
_Static_assert(VBE_FVQ_CONFIG_SIZE == VBE_DEV_CONFIG_SIZE, "window config matches vbe_dev");
_Static_assert(VBE_FVQ_RING_OFF >= sizeof(struct vbe_fvq_header) +
					   VBE_FVQ_MAX_DEVICES * sizeof(struct vbe_fvq_devblock),
	       "header and device blocks fit below the ring area");

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

/* Translate-and-check for ring parts: they must lie inside the ring area. */
static void *fvq_ring_xlate(void *ctx, uint64_t addr, uint32_t len, bool write)
{
	struct vbe_fvq *w = ctx;
	uint64_t start = w->ring_off;
	uint64_t end = start + w->ring_size;

	(void)write;
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
	w->mem.release = NULL; /* the window is always mapped */
	w->mem.ctx = w;
	/* the same rule, checked inline by the ring walker */
	w->mem.flat = w->base;
	w->mem.lo = w->data_off;
	w->mem.hi = (uint64_t)w->data_off + w->data_size;
	w->ring_mem.xlate = fvq_ring_xlate;
	w->ring_mem.release = NULL;
	w->ring_mem.ctx = w;
	return 0;
}

int vbe_fvq_add_device(struct vbe_fvq *w, const struct vbe_dev_ops *ops, void *be)
{
	int rc;

	if (w->num_devices >= VBE_FVQ_MAX_DEVICES) {
		return -ENOSPC;
	}
	rc = vbe_dev_init(&w->slot[w->num_devices].dev, ops, be);
	if (rc != 0) {
		return rc;
	}
	w->num_devices++;
	return 0;
}

/* Device reset (virtio 1.2, 2.4): forget queues, features and status. */
static void slot_reset(struct vbe_fvq_slot *s, struct vbe_fvq_devblock *b)
{
	vbe_dev_reset(&s->dev);
	for (unsigned int q = 0U; q < VBE_FVQ_MAX_QUEUES; q++) {
		vbe_st32(&b->dev.queue[q].fault, 0U);
		vbe_st32(&b->dev.queue[q].interrupt_seq, s->irq_seq[q]);
	}
}

/* Write the device-owned half of a block, as at power-on. */
static void slot_publish(struct vbe_fvq_slot *s, struct vbe_fvq_devblock *b)
{
	const struct vbe_dev_ops *ops = s->dev.ops;
	uint64_t features = vbe_dev_offered(&s->dev);

	memset(&b->dev, 0, sizeof(b->dev));
	vbe_st32(&b->dev.device_id, ops->device_id);
	vbe_st32(&b->dev.vendor_id, VBE_FVQ_VENDOR_ID);
	vbe_st32(&b->dev.device_features_lo, (uint32_t)features);
	vbe_st32(&b->dev.device_features_hi, (uint32_t)(features >> 32));
	vbe_st16(&b->dev.num_queues, ops->num_queues);
	vbe_st16(&b->dev.config_size, ops->config_size);
	for (unsigned int q = 0U; q < ops->num_queues; q++) {
		vbe_st16(&b->dev.queue[q].size_max, ops->queue_size_max);
		vbe_st32(&b->dev.queue[q].interrupt_seq, s->irq_seq[q]);
	}
	if (ops->get_config != NULL) {
		ops->get_config(s->dev.be, b->dev.config);
	}
	/* Whatever the driver left in its half is stale from an earlier boot: start from zero. */
	s->status_seen = vbe_ld32(&b->drv.status_seq);
	s->notify_seen = vbe_ld32(&b->drv.notify_seq);
	s->more = false;
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

/* Report a latched NEEDS_RESET once and publish the fault of each queue that has one. */
static void slot_report(const struct vbe_fvq *w, const struct vbe_fvq_slot *s,
			struct vbe_fvq_devblock *b, uint32_t queues)
{
	for (unsigned int q = 0U; q < s->dev.ops->num_queues; q++) {
		if ((queues & (1U << q)) == 0U || s->dev.fault[q] == 0U) {
			continue;
		}
		VBE_LOG(VBE_LOG_WRN,
			"fvq: guest %u device %u (virtio id %u) queue %u: fault %u (%s); "
			"device needs reset",
			(unsigned int)w->guest_id, (unsigned int)(s - w->slot),
			(unsigned int)s->dev.ops->device_id, q, (unsigned int)s->dev.fault[q],
			vbe_dev_fault_str(s->dev.fault[q]));
		vbe_st32(&b->dev.queue[q].fault, s->dev.fault[q]);
	}
}

/* Apply one driver status write: the values the device checks are read from the window once. */
static void slot_set_status(struct vbe_fvq *w, struct vbe_fvq_slot *s, struct vbe_fvq_devblock *b,
			    uint32_t req)
{
	struct vbe_dev_queue_cfg qc[VBE_FVQ_MAX_QUEUES] = { 0 };
	uint64_t drv = vbe_ld32(&b->drv.driver_features_lo) |
		       ((uint64_t)vbe_ld32(&b->drv.driver_features_hi) << 32);

	if (req == 0U) {
		slot_reset(s, b);
		return;
	}
	if ((req & VBE_VIRTIO_STATUS_DRIVER_OK) != 0U) {
		for (unsigned int q = 0U; q < s->dev.ops->num_queues; q++) {
			const struct vbe_fvq_drv_queue *dq = &b->drv.queue[q];

			qc[q].enabled = vbe_ld16(&dq->enable) != 0U;
			qc[q].size = vbe_ld16(&dq->size);
			qc[q].desc = vbe_ld32(&dq->desc_off);
			qc[q].avail = vbe_ld32(&dq->avail_off);
			qc[q].used = vbe_ld32(&dq->used_off);
		}
	}
	if (vbe_dev_set_status(&s->dev, req, drv, qc, &w->ring_mem, &w->mem) != 0) {
		slot_report(w, s, b, (1U << VBE_FVQ_MAX_QUEUES) - 1U);
	}
}

/* Apply the driver's status write whose sequence number is @p seq, and acknowledge it. */
static void slot_poll_status(struct vbe_fvq *w, struct vbe_fvq_slot *s, struct vbe_fvq_devblock *b,
			     uint32_t seq)
{
	/* Pairs with the driver's wmb between writing driver_status and bumping status_seq. */
	vbe_rmb();
	slot_set_status(w, s, b, vbe_ld32(&b->drv.driver_status));
	s->status_seen = seq;
	vbe_st32(&b->dev.device_status, s->dev.status);
	/* The status before its acknowledgement: pairs with the driver's rmb after status_ack. */
	vbe_wmb();
	vbe_st32(&b->dev.status_ack, seq);
}

static void fvq_notify(struct vbe_fvq *w)
{
	if (w->notify.notify != NULL) {
		w->notify.notify(w->notify.ctx, w->guest_id);
	}
}

/* One service pass of a running device; returns whether it did or left anything. */
static bool slot_poll_queues(struct vbe_fvq *w, struct vbe_fvq_slot *s, struct vbe_fvq_devblock *b,
			     uint32_t seq)
{
	uint32_t notify;
	uint32_t broke;

	s->notify_seen = seq;
	vbe_st32(&b->dev.notify_seen, seq);
	notify = vbe_dev_run(&s->dev, &broke);
	s->more = (notify & VBE_DEV_SERVICE_MORE) != 0U;
	for (unsigned int q = 0U; q < s->dev.ops->num_queues; q++) {
		if ((notify & (1U << q)) != 0U) {
			s->irq_seq[q]++;
			vbe_st32(&b->dev.queue[q].interrupt_seq, s->irq_seq[q]);
			fvq_notify(w);
		}
	}
	if (broke != 0U) {
		/* virtio 1.2, 2.1.2: NEEDS_RESET, then a configuration change notification */
		slot_report(w, s, b, broke);
		vbe_st32(&b->dev.device_status, s->dev.status);
		fvq_notify(w);
		return true;
	}
	return (notify & (VBE_DEV_SERVICE_MORE | VBE_DEV_SERVICE_TOOK)) != 0U;
}

/*
 * A slot whose driver did something (or that has something left): status, then a pass. Kept
 * out of line so the idle loop of vbe_fvq_poll() stays a few loads and compares per slot.
 */
__attribute__((noinline)) static bool slot_poll(struct vbe_fvq *w, struct vbe_fvq_slot *s, struct vbe_fvq_devblock *b,
		      uint32_t status_seq, uint32_t notify_seq)
{
	bool status = status_seq != s->status_seen;

	if (status) {
		slot_poll_status(w, s, b, status_seq);
	}
	if (!vbe_dev_running(&s->dev)) {
		return status;
	}
	return slot_poll_queues(w, s, b, notify_seq) || status;
}

int vbe_fvq_poll(struct vbe_fvq *w, bool *did_work)
{
	struct vbe_fvq_devblock *b = fvq_block(w, 0U);
	struct vbe_fvq_slot *s = w->slot;
	struct vbe_fvq_slot *end = s + w->num_devices;
	bool worked = false;

	for (; s < end; s++, b++) {
		uint32_t status_seq = vbe_ld32(&b->drv.status_seq);
		uint32_t notify_seq = vbe_ld32(&b->drv.notify_seq);

		/*
		 * Idle unless the driver notified or changed its status, the last pass left chains
		 * (budget), or chains were completed outside a pass: a driver publishes, then
		 * notifies unless we asked it not to, and we ask only while a pass has chains left.
		 */
		if (status_seq == s->status_seen && notify_seq == s->notify_seen && !s->more &&
		    (!vbe_dev_running(&s->dev) || !vbe_dev_unsignalled(&s->dev))) {
			continue;
		}
		worked = slot_poll(w, s, b, status_seq, notify_seq) || worked;
	}
	if (did_work != NULL) {
		*did_work = worked;
	}
	return 0;
}
