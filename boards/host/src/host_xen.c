/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Host port, Xen IOREQ: one guest's devices as virtio-mmio windows behind an IOREQ server
 * (vbe/ioreq.h, vbe/mmio.h), over memory the caller owns. The caller plays Xen (it fills the
 * ioreq page and reads the answers) and the guest (rings and buffers in its RAM buffer), so
 * the transport is tested here without a hypervisor; vbe-xen binds the same calls to Xen.
 * A grant guest's memory is reached only through the caller's grant table (map/unmap
 * callbacks, vbe/gnt.h). One calloc per handle.
 */

#include <errno.h>
#include <stdbool.h>
#include <stdlib.h>

#include <vbe/gnt.h>
#include <vbe/host.h>
#include <vbe/i2c.h>
#include <vbe/ioreq.h>
#include <vbe/memtab.h>
#include <vbe/mmio.h>
#include <vbe/scmi.h>
#include <vbe/sys.h>

#include "host_internal.h"

struct host_xen_irq {
	uint32_t raised; /* set(true) calls */
	bool level;
};

struct vbe_host_xen {
	struct vbe_host *h;
	int guest;
	struct vbe_memtab ram;
	struct vbe_gnt gnt; /* a grant guest's mapper (gnt_map set) */
	void *(*gnt_map)(void *ctx, uint32_t first, uint32_t count, int write);
	void (*gnt_unmap)(void *ctx, void *pages, uint32_t count);
	void *gnt_ctx;
	struct vbe_vq_mem mem;
	struct vbe_ioreq_server srv;
	struct vbe_mmio mmio[VBE_IOREQ_MAX_DEVICES];
	struct host_xen_irq irq[VBE_IOREQ_MAX_DEVICES];
	uint32_t notified[VBE_IOREQ_MAX_VCPUS];
	unsigned int num_devices;
};

static int xen_notify(void *ctx, unsigned int vcpu)
{
	struct vbe_host_xen *x = ctx;

	x->notified[vcpu]++;
	return 0;
}

static const struct vbe_ioreq_ops xen_ops = {
	.notify = xen_notify,
};

static void xen_irq_set(void *ctx, bool level)
{
	struct host_xen_irq *irq = ctx;

	irq->raised += level ? 1U : 0U;
	irq->level = level;
}

static void *xen_gnt_map(void *ctx, uint32_t first, uint32_t count, bool write)
{
	struct vbe_host_xen *x = ctx;

	return x->gnt_map(x->gnt_ctx, first, count, write ? 1 : 0);
}

static void xen_gnt_unmap(void *ctx, void *pages, uint32_t count)
{
	struct vbe_host_xen *x = ctx;

	x->gnt_unmap(x->gnt_ctx, pages, count);
}

static const struct vbe_gnt_ops xen_gnt_ops = {
	.map = xen_gnt_map,
	.unmap = xen_gnt_unmap,
};

/* Bind one backend at the next window; 0 or a negative errno. */
static int xen_add(struct vbe_host_xen *x, uint64_t base, const struct vbe_dev_ops *ops, void *be)
{
	unsigned int k = x->num_devices;
	const struct vbe_mmio_irq irq = { .set = xen_irq_set, .ctx = &x->irq[k] };
	int rc = vbe_ioreq_bind(&x->srv, &x->mmio[k], base + (uint64_t)k * VBE_MMIO_WINDOW_SIZE,
				ops, be, &x->mem, &irq, x->gnt_map != NULL);

	if (rc == 0) {
		x->num_devices++;
	}
	return rc;
}

static struct vbe_host_xen *xen_alloc(struct vbe_host *h, int guest)
{
	struct vbe_host_xen *x;

	if (h == NULL || !h->vhu_mode || guest < 0 || guest >= h->cfg->guest_count ||
	    h->vhu_bound[guest][VBE_HOST_VHU_I2C] || h->vhu_bound[guest][VBE_HOST_VHU_SCMI]) {
		return NULL;
	}
	x = calloc(1, sizeof(*x));
	if (x != NULL) {
		x->h = h;
		x->guest = guest;
	}
	return x;
}

/* The IOREQ server and the guest's devices on x->mem; frees @p x on failure. */
static struct vbe_host_xen *xen_bind(struct vbe_host_xen *x, void *page, uint32_t vcpus,
				     uint64_t base)
{
	struct vbe_host *h = x->h;
	int guest = x->guest;
	int rc = 0;

	if (vbe_ioreq_init(&x->srv, page, vcpus, &xen_ops, x) != 0) {
		free(x);
		return NULL;
	}
	/* the order vbe gen gives the windows: virtio-i2c, then virtio-scmi */
	for (unsigned int i = 0U; rc == 0 && i < 2U; i++) {
		static const unsigned int order[2] = { VBE_SYS_DEV_I2C, VBE_SYS_DEV_SCMI };
		const struct vbe_dev_ops *ops;
		void *be;

		if (vbe_sys_device(&h->sys, (uint8_t)guest, order[i], &ops, &be) == 0) {
			rc = xen_add(x, base, ops, be);
		}
	}
	if (rc != 0) {
		free(x);
		return NULL;
	}
	h->vhu_bound[guest][VBE_HOST_VHU_I2C] = true;
	h->vhu_bound[guest][VBE_HOST_VHU_SCMI] = true;
	return x;
}

struct vbe_host_xen *vbe_host_xen_create(struct vbe_host *h, int guest, void *page,
					 uint32_t vcpus, uint64_t base, uint64_t ram_gpa,
					 uint64_t ram_size, void *ram)
{
	struct vbe_host_xen *x = xen_alloc(h, guest);

	if (x == NULL) {
		return NULL;
	}
	vbe_memtab_clear(&x->ram);
	if (vbe_memtab_add(&x->ram, ram_gpa, ram_size, ram_gpa, ram) != 0) {
		free(x);
		return NULL;
	}
	vbe_memtab_vq_mem(&x->ram, &x->mem);
	return xen_bind(x, page, vcpus, base);
}

struct vbe_host_xen *vbe_host_xen_create_gnt(struct vbe_host *h, int guest, void *page,
					     uint32_t vcpus, uint64_t base,
					     void *(*map)(void *ctx, uint32_t first, uint32_t count,
							  int write),
					     void (*unmap)(void *ctx, void *pages, uint32_t count),
					     void *ctx)
{
	struct vbe_host_xen *x;

	if (map == NULL || unmap == NULL) {
		return NULL;
	}
	x = xen_alloc(h, guest);
	if (x == NULL) {
		return NULL;
	}
	x->gnt_map = map;
	x->gnt_unmap = unmap;
	x->gnt_ctx = ctx;
	(void)vbe_gnt_init(&x->gnt, &xen_gnt_ops, x);
	vbe_gnt_vq_mem(&x->gnt, &x->mem);
	return xen_bind(x, page, vcpus, base);
}

void vbe_host_xen_destroy(struct vbe_host_xen *x)
{
	if (x == NULL) {
		return;
	}
	/* the guest goes away: its devices are reset (SCMI votes released) */
	for (unsigned int k = 0U; k < x->num_devices; k++) {
		vbe_dev_reset(&x->mmio[k].dev);
	}
	x->h->vhu_bound[x->guest][VBE_HOST_VHU_I2C] = false;
	x->h->vhu_bound[x->guest][VBE_HOST_VHU_SCMI] = false;
	free(x);
}

int vbe_host_xen_num_devices(struct vbe_host_xen *x)
{
	return (int)x->num_devices;
}

uint32_t vbe_host_xen_device_id(struct vbe_host_xen *x, int k)
{
	return (k < 0 || (unsigned int)k >= x->num_devices) ? 0U : x->mmio[k].dev.ops->device_id;
}

int vbe_host_xen_handle(struct vbe_host_xen *x, uint32_t vcpu)
{
	return vbe_ioreq_handle(&x->srv, vcpu);
}

int vbe_host_xen_poll(struct vbe_host_xen *x, int all)
{
	return vbe_ioreq_poll(&x->srv, all != 0) ? 1 : 0;
}

uint32_t vbe_host_xen_vcpu_port(struct vbe_host_xen *x, uint32_t vcpu)
{
	return vbe_ioreq_vcpu_port(&x->srv, vcpu);
}

uint32_t vbe_host_xen_notified(struct vbe_host_xen *x, uint32_t vcpu)
{
	return vcpu < VBE_IOREQ_MAX_VCPUS ? x->notified[vcpu] : 0U;
}

int vbe_host_xen_irq(struct vbe_host_xen *x, int k, uint32_t *raised)
{
	if (k < 0 || (unsigned int)k >= x->num_devices) {
		return -EINVAL;
	}
	*raised = x->irq[k].raised;
	return x->irq[k].level ? 1 : 0;
}

uint32_t vbe_host_xen_ioreq_stat(struct vbe_host_xen *x, int idx)
{
	const struct vbe_ioreq_stats *st = &x->srv.stats;

	switch (idx) {
	case VBE_HOST_XEN_STAT_SERVED:
		return st->served;
	case VBE_HOST_XEN_STAT_READS:
		return st->reads;
	case VBE_HOST_XEN_STAT_WRITES:
		return st->writes;
	default:
		idx -= VBE_HOST_XEN_STAT_REFUSED;
		return (idx >= 0 && idx < VBE_IOREQ_REFUSAL_COUNT) ? st->refused[idx] : 0U;
	}
}

uint32_t vbe_host_xen_mmio_stat(struct vbe_host_xen *x, int k, int idx)
{
	const struct vbe_mmio_stats *st;

	if (k < 0 || (unsigned int)k >= x->num_devices) {
		return 0U;
	}
	st = &x->mmio[k].stats;
	switch (idx) {
	case VBE_HOST_MMIO_STAT_NOTIFIES:
		return st->notifies;
	case VBE_HOST_MMIO_STAT_INTERRUPTS:
		return st->interrupts;
	case VBE_HOST_MMIO_STAT_RESETS:
		return st->resets;
	default:
		idx -= VBE_HOST_MMIO_STAT_REFUSED;
		return (idx >= 0 && idx < VBE_MMIO_REFUSAL_COUNT) ? st->refused[idx] : 0U;
	}
}

uint32_t vbe_host_xen_gnt_stat(struct vbe_host_xen *x, int idx)
{
	const struct vbe_gnt_stats *st = &x->gnt.stats;

	switch (idx) {
	case VBE_HOST_GNT_STAT_MAPS:
		return st->maps;
	case VBE_HOST_GNT_STAT_UNMAPS:
		return st->unmaps;
	case VBE_HOST_GNT_STAT_PAGES:
		return st->pages;
	case VBE_HOST_GNT_STAT_LIVE:
		return st->live;
	case VBE_HOST_GNT_STAT_LIVE_MAX:
		return st->live_max;
	case VBE_HOST_GNT_STAT_LIVE_PAGES:
		return st->live_pages;
	case VBE_HOST_GNT_STAT_LIVE_PAGES_MAX:
		return st->live_pages_max;
	default:
		idx -= VBE_HOST_GNT_STAT_REFUSED;
		return (idx >= 0 && idx < VBE_GNT_REFUSAL_COUNT) ? st->refused[idx] : 0U;
	}
}

uint32_t vbe_host_xen_fault(struct vbe_host_xen *x, int k, int q)
{
	if (k < 0 || (unsigned int)k >= x->num_devices || q < 0 || q >= VBE_DEV_MAX_QUEUES) {
		return 0U;
	}
	return x->mmio[k].dev.fault[q];
}
