/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Backend binding for rings in guest RAM (vhost-user). See vbe/vhu.h and docs/vhost-user.md.
 */

#include <errno.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <vbe/dev.h>
#include <vbe/memtab.h>
#include <vbe/port.h>
#include <vbe/vhu.h>
#include <vbe/virtio.h>

int vbe_vhu_init(struct vbe_vhu *d, const struct vbe_dev_ops *ops, void *be)
{
	if (d == NULL || vbe_dev_ops_check(ops) != 0) {
		return -EINVAL;
	}
	memset(d, 0, sizeof(*d));
	d->ops = ops;
	d->be = be;
	vbe_memtab_clear(&d->mem);
	vbe_memtab_vq_mem(&d->mem, &d->vq_mem);
	return 0;
}

uint64_t vbe_vhu_features(const struct vbe_vhu *d)
{
	return d->ops->features | VBE_DEV_RING_FEATURES;
}

/* Stop one ring, keeping where the driver is for the next start; the backend stops too. */
static void ring_stop(struct vbe_vhu *d, uint32_t q)
{
	struct vbe_vhu_ring *r = &d->ring[q];

	if (r->live) {
		r->base = d->vq[q].last_avail;
		r->live = false;
		/* the backend may reach it later (an event from elsewhere): it finds it stopped */
		vbe_vq_stop(&d->vq[q]);
	}
	d->running = false;
}

static bool queue_ok(const struct vbe_vhu *d, uint32_t q)
{
	return q < d->ops->num_queues;
}

int vbe_vhu_set_features(struct vbe_vhu *d, uint64_t features)
{
	if ((features & ~vbe_vhu_features(d)) != 0U) {
		return -EINVAL;
	}
	if ((features & (1ULL << VBE_VIRTIO_F_VERSION_1)) == 0U ||
	    (features & d->ops->required_features) != d->ops->required_features) {
		return -ENOTSUP;
	}
	if (features != d->features) {
		/* live rings were set up for the old features: restart them on the next kick */
		for (uint32_t q = 0U; q < d->ops->num_queues; q++) {
			ring_stop(d, q);
		}
	}
	d->features = features;
	return 0;
}

void vbe_vhu_reset(struct vbe_vhu *d)
{
	for (uint32_t q = 0U; q < VBE_VHU_MAX_QUEUES; q++) {
		vbe_vq_stop(&d->vq[q]);
		memset(&d->ring[q], 0, sizeof(d->ring[q]));
	}
	if (d->ops->reset != NULL) {
		d->ops->reset(d->be);
	}
	d->features = 0U;
	d->running = false;
	d->broken = 0U;
	d->new_driver = false;
	vbe_memtab_clear(&d->mem);
}

void vbe_vhu_mem_clear(struct vbe_vhu *d)
{
	for (uint32_t q = 0U; q < d->ops->num_queues; q++) {
		ring_stop(d, q);
	}
	vbe_memtab_clear(&d->mem);
}

int vbe_vhu_mem_add(struct vbe_vhu *d, uint64_t gpa, uint64_t size, uint64_t uaddr, void *host)
{
	return vbe_memtab_add(&d->mem, gpa, size, uaddr, host);
}

int vbe_vhu_set_num(struct vbe_vhu *d, uint32_t q, uint32_t num)
{
	if (!queue_ok(d, q)) {
		return -EINVAL;
	}
	/* virtio 1.2, 2.7: a power of two, at most 32768 (the front-end picks it) */
	if (num == 0U || num > VBE_VRING_SIZE_MAX || (num & (num - 1U)) != 0U) {
		return -EINVAL;
	}
	if (d->ring[q].live) {
		return -EBUSY;
	}
	d->ring[q].num = (uint16_t)num;
	return 0;
}

/* A ring's parts in front-end addresses (vbe/vq.h). */
static void ring_spans(const struct vbe_vhu_ring *r, struct vbe_vq_span span[VBE_VQ_PARTS])
{
	span[VBE_VQ_PART_DESC].off = r->desc_ua;
	span[VBE_VQ_PART_AVAIL].off = r->avail_ua;
	span[VBE_VQ_PART_USED].off = r->used_ua;
	for (unsigned int k = 0U; k < VBE_VQ_PARTS; k++) {
		span[k].len = vbe_vq_part_size((enum vbe_vq_part)k, r->num);
	}
}

/* Where a ring's parts are in host memory; 0 or a VBE_DEV_FAULT_* code. */
static uint32_t ring_parts(const struct vbe_vhu *d, const struct vbe_vhu_ring *r, void **desc,
			   void **avail, void **used)
{
	struct vbe_vq_span span[VBE_VQ_PARTS];

	ring_spans(r, span);
	for (unsigned int k = 0U; k < VBE_VQ_PARTS; k++) {
		if ((span[k].off % vbe_vq_part_align((enum vbe_vq_part)k)) != 0U) {
			return VBE_DEV_FAULT_QUEUE_ALIGN;
		}
	}
	*desc = vbe_memtab_uaddr(&d->mem, r->desc_ua, span[VBE_VQ_PART_DESC].len);
	*avail = vbe_memtab_uaddr(&d->mem, r->avail_ua, span[VBE_VQ_PART_AVAIL].len);
	*used = vbe_memtab_uaddr(&d->mem, r->used_ua, span[VBE_VQ_PART_USED].len);
	if (*desc == NULL || *avail == NULL || *used == NULL) {
		return VBE_DEV_FAULT_QUEUE_RANGE;
	}
	return 0U;
}

int vbe_vhu_set_addr(struct vbe_vhu *d, uint32_t q, uint64_t desc, uint64_t used,
		     uint64_t avail)
{
	struct vbe_vhu_ring *r;
	struct vbe_vhu_ring next;
	void *pd;
	void *pa;
	void *pu;
	uint32_t fault;

	if (!queue_ok(d, q)) {
		return -EINVAL;
	}
	r = &d->ring[q];
	if (r->live) {
		/* QEMU re-sends the same addresses to toggle dirty logging: accept that */
		return (desc == r->desc_ua && used == r->used_ua && avail == r->avail_ua) ? 0
											 : -EBUSY;
	}
	next = *r;
	next.desc_ua = desc;
	next.used_ua = used;
	next.avail_ua = avail;
	/* Check now when we can (size and table known), again at start in any case. */
	if (next.num != 0U && d->mem.count != 0U) {
		fault = ring_parts(d, &next, &pd, &pa, &pu);
		if (fault != 0U) {
			r->fault = fault;
			return fault == VBE_DEV_FAULT_QUEUE_ALIGN ? -EPROTO : -EFAULT;
		}
	}
	next.addr_set = true;
	next.fault = 0U;
	*r = next;
	return 0;
}

int vbe_vhu_set_base(struct vbe_vhu *d, uint32_t q, uint32_t base)
{
	if (!queue_ok(d, q) || base > UINT16_MAX) {
		return -EINVAL;
	}
	if (d->ring[q].live) {
		return -EBUSY;
	}
	if (base == 0U && d->ring[q].base != 0U) {
		d->new_driver = true; /* the ring starts over: a reset driver (vhu.h) */
	}
	d->ring[q].base = (uint16_t)base;
	return 0;
}

int vbe_vhu_get_base(struct vbe_vhu *d, uint32_t q, uint16_t *base)
{
	if (!queue_ok(d, q) || base == NULL) {
		return -EINVAL;
	}
	ring_stop(d, q);
	d->ring[q].kicked = false;
	*base = d->ring[q].base;
	return 0;
}

int vbe_vhu_set_kick(struct vbe_vhu *d, uint32_t q)
{
	if (!queue_ok(d, q)) {
		return -EINVAL;
	}
	d->ring[q].kicked = true;
	return 0;
}

int vbe_vhu_set_enable(struct vbe_vhu *d, uint32_t q, uint32_t on)
{
	if (!queue_ok(d, q) || on > 1U) {
		return -EINVAL;
	}
	if (on == 0U) {
		ring_stop(d, q);
	}
	d->ring[q].enabled = on != 0U;
	return 0;
}

/*
 * Does ring q, about to go live, clash (vbe_vq_rings_clash) with itself or with a live
 * ring? Only live rings count: the others may still hold a previous driver's addresses
 * (QEMU sets rings up one after the other), and each pair is checked when the later of the
 * two goes live. The parts are inside the memory table (ring_parts), so nothing wraps.
 */
static bool ring_overlaps(const struct vbe_vhu *d, uint32_t q)
{
	struct vbe_vq_span mine[VBE_VQ_PARTS];
	struct vbe_vq_span other[VBE_VQ_PARTS];

	ring_spans(&d->ring[q], mine);
	for (uint32_t p = 0U; p < d->ops->num_queues; p++) {
		if (p != q && !d->ring[p].live) {
			continue;
		}
		ring_spans(&d->ring[p], other);
		if (vbe_vq_rings_clash(mine, other, p == q)) {
			return true;
		}
	}
	return false;
}

/* Set up every ready ring that is not live yet. Returns true when one went live. */
static bool rings_start(struct vbe_vhu *d, int *rc)
{
	bool started = false;

	for (uint32_t q = 0U; q < d->ops->num_queues; q++) {
		struct vbe_vhu_ring *r = &d->ring[q];
		void *desc;
		void *avail;
		void *used;
		uint32_t fault;

		if (r->live || !r->kicked || !r->enabled || r->num == 0U || !r->addr_set) {
			continue;
		}
		fault = ring_parts(d, r, &desc, &avail, &used);
		if (fault == 0U && ring_overlaps(d, q)) {
			fault = VBE_DEV_FAULT_QUEUE_OVERLAP;
		}
		if (fault == 0U && vbe_vq_init_at(&d->vq[q], r->num, desc, avail, used, &d->vq_mem,
						  d->features, r->base) != 0) {
			fault = VBE_DEV_FAULT_QUEUE_ALIGN; /* host mapping misaligned */
		}
		if (fault != 0U) {
			if (r->fault != fault) {
				VBE_LOG(VBE_LOG_WRN, "vhu: queue %u: %s", (unsigned int)q,
					vbe_dev_fault_str(fault));
			}
			r->fault = fault;
			*rc = -EFAULT;
			continue;
		}
		r->live = true;
		r->fault = 0U;
		started = true;
	}
	return started;
}

int vbe_vhu_kick(struct vbe_vhu *d, uint32_t *call)
{
	bool any_live = false;
	int rc = 0;

	*call = 0U;
	if (rings_start(d, &rc) || !d->running) {
		for (uint32_t q = 0U; q < d->ops->num_queues; q++) {
			any_live = any_live || d->ring[q].live;
		}
		if (any_live && d->new_driver) {
			/* what the old driver held goes, before the new one is served */
			VBE_LOG(VBE_LOG_INF, "vhu: rings restarted from 0: new driver, backend reset");
			if (d->ops->reset != NULL) {
				d->ops->reset(d->be);
			}
			d->new_driver = false;
			d->driver_restarts++;
		}
		/* start refuses (e.g. SCMI with P2A before its eventq is up): wait for more rings */
		d->running = any_live &&
			     (d->ops->start == NULL || d->ops->start(d->be, d->vq, d->features) == 0);
	}
	if (!d->running) {
		return rc;
	}
	*call = vbe_dev_service(d->ops, d->be, d->vq) & ~(uint32_t)VBE_DEV_SERVICE_TOOK;
	for (uint32_t q = 0U; q < d->ops->num_queues; q++) {
		if (d->ring[q].live && d->vq[q].broken) {
			if ((d->broken & (1U << q)) == 0U) {
				VBE_LOG(VBE_LOG_WRN, "vhu: queue %u broken: %s", (unsigned int)q,
					vbe_vq_fault_str(d->vq[q].fault));
			}
			d->broken |= 1U << q;
			d->ring[q].fault = d->vq[q].fault;
			rc = -EIO;
		}
	}
	return rc;
}

bool vbe_vhu_unsignalled(const struct vbe_vhu *d)
{
	for (uint32_t q = 0U; q < d->ops->num_queues; q++) {
		if (d->ring[q].live && vbe_vq_unsignalled(&d->vq[q])) {
			return true;
		}
	}
	return false;
}
