/* SPDX-License-Identifier: Apache-2.0 */
/*
 * One DomU served: its RAM mapped here, an IOREQ server claiming its virtio-mmio windows,
 * the portable core's vbe_ioreq/vbe_mmio answering, and the operations they ask of the port
 * (notify a vCPU, raise a device's interrupt) done with hypercalls.
 *
 * Start (the sequence of xen-facts.md and of vbe-xen, with hypercalls instead of libraries):
 *   XEN_DMOP_nr_vcpus                        the domain exists and has the vCPUs the table says
 *   (an extended region's space for its RAM bank; frames mapped when first used, dom_xlate)
 *   XEN_DMOP_create_ioreq_server             synchronous requests only (no buffered ring)
 *   acquire_resource(ioreq_server, ioreq(0)) its page at a frame of ours
 *   XEN_DMOP_map_io_range_to_ioreq_server    per device window
 *   XEN_DMOP_set_ioreq_server_state(1)       then each slot's vp_eport is valid
 *   EVTCHNOP_bind_interdomain                per vCPU, masked (evtchn.c)
 * A device interrupt is XEN_DMOP_set_irq_level(spi, 1) per event: Xen 4.17's vGIC ignores
 * level 0, as vbe-xen found, so releasing the line is not sent.
 */

#include <errno.h>
#include <stdbool.h>
#include <stdint.h>
#include <string.h>

#include <vbe/i2c.h>
#include <vbe/port.h>
#include <vbe/scmi.h>

#include "bm.h"
#include "xd.h"
#include "xen_abi.h"

#define DOM_RAM_ALIGN (2U << 20) /* block-aligned, so a later block mapping could use it */

/* ---- what the core asks of Xen --------------------------------------------------------- */

static int dom_notify(void *ctx, unsigned int vcpu)
{
	struct xd_dom *d = ctx;
	int rc;

	if (vcpu >= d->ports) {
		return -EINVAL;
	}
	rc = xd_evtchn_send(d->local_port[vcpu]);
	if (rc != 0) {
		VBE_LOG(VBE_LOG_ERR, "dom %u: notify vcpu %u: %d", d->cfg->domid, vcpu, rc);
	}
	return rc;
}

static const struct vbe_ioreq_ops dom_ioreq_ops = {
	.notify = dom_notify,
};

static long dom_dm(struct xd_dom *d, struct vbe_xen_dm_op *op)
{
	return xd_dm_op(d->cfg->domid, op, sizeof(*op));
}

static void dom_irq_set(void *ctx, bool level)
{
	struct xd_irq *irq = ctx;
	struct xd_dom *d = irq->dom;
	struct vbe_xen_dm_op op = { .op = VBE_XEN_DMOP_SET_IRQ_LEVEL };
	long rc;

	if (!level || !d->live) {
		return; /* Xen 4.17's vGIC ignores level 0: each event is a new assertion */
	}
	op.u.irq.irq = irq->spi;
	op.u.irq.level = 1U;
	rc = dom_dm(d, &op);
	if (rc != 0) {
		irq->failed++;
		VBE_LOG(VBE_LOG_ERR, "dom %u: SPI %u: %ld", d->cfg->domid, irq->spi, rc);
		return;
	}
	irq->raised++;
}

/* ---- the DomU's RAM, mapped frame by frame as the devices reach it ---------------------- */

/*
 * vbe_memtab_map_fn: frames [f, f + n) of the bank at their place in the range reserved for
 * it. Mapping the whole bank at start costs about 2.5 s per 128 MiB under QEMU TCG (76 us a
 * frame); the rings and buffers a driver uses are a few dozen frames.
 */
static int dom_map_run(void *ctx, uint64_t f, uint64_t n)
{
	struct xd_dom *d = ctx;
	const struct vbe_xen_domain *c = d->cfg;
	uint64_t at = d->ram_gpa + (f << XD_PAGE_SHIFT);
	int rc = xd_map_foreign(c->domid, (c->ram_base >> XD_PAGE_SHIFT) + f, n, at);

	if (rc != 0) {
		VBE_LOG(VBE_LOG_ERR, "dom %u: mapping its frames %#llx+%llu: %d", c->domid,
			(unsigned long long)((c->ram_base >> XD_PAGE_SHIFT) + f),
			(unsigned long long)n, rc);
		(void)xd_unmap(at, n); /* what the failed call did map */
	}
	return rc;
}

/* ---- start ------------------------------------------------------------------------------ */

/* [base, base + size) inside one of a DomU's RAM banks (arch-arm.h GUEST_RAM0/1)? */
static bool in_guest_bank(uint64_t base, uint64_t size)
{
	static const uint64_t bank[2][2] = {
		{ XD_GUEST_RAM0_BASE, XD_GUEST_RAM0_SIZE },
		{ XD_GUEST_RAM1_BASE, XD_GUEST_RAM1_SIZE },
	};

	for (unsigned int i = 0U; i < 2U; i++) {
		if (base >= bank[i][0] && base - bank[i][0] <= bank[i][1] &&
		    size <= bank[i][1] - (base - bank[i][0])) {
			return true;
		}
	}
	return false;
}

static int dom_reserve_ram(struct xd_dom *d)
{
	const struct vbe_xen_domain *c = d->cfg;
	int rc;

	if (c->ram_size == 0U || c->ram_size > XD_DOM_RAM_MAX ||
	    (c->ram_size % XD_PAGE_SIZE) != 0U || (c->ram_base % XD_PAGE_SIZE) != 0U ||
	    !in_guest_bank(c->ram_base, c->ram_size)) {
		VBE_LOG(VBE_LOG_ERR, "dom %u: RAM %#llx+%#llx: want whole pages inside one of "
				     "Xen's guest RAM banks, at most %llu MiB",
			c->domid, (unsigned long long)c->ram_base, (unsigned long long)c->ram_size,
			(unsigned long long)(XD_DOM_RAM_MAX >> 20));
		return -EINVAL;
	}
	d->ram_gpa = xd_gpa_alloc(c->ram_size, DOM_RAM_ALIGN);
	if (d->ram_gpa == 0U) {
		VBE_LOG(VBE_LOG_ERR, "dom %u: no extended region has %llu MiB left for its RAM",
			c->domid, (unsigned long long)(c->ram_size >> 20));
		return -ENOMEM;
	}
	rc = vbe_memtab_lazy_init(&d->lazy, c->ram_base, c->ram_size, (void *)(uintptr_t)d->ram_gpa,
				  d->ram_map, sizeof(d->ram_map) / sizeof(d->ram_map[0]), 0U,
				  dom_map_run, d);
	vbe_memtab_lazy_vq_mem(&d->lazy, &d->mem);
	return rc;
}

/* Its RAM: nothing mapped until its drivers grant it (gnt.c), or its bank's range. */
static int dom_memory(struct xd_dom *d)
{
	int rc;

	if (d->cfg->grants == 0U) {
		return dom_reserve_ram(d);
	}
	rc = xd_gnt_init();
	if (rc == 0) {
		rc = vbe_gnt_init(&d->gnt, &xd_gnt_ops, d);
	}
	if (rc == 0) {
		vbe_gnt_vq_mem(&d->gnt, &d->mem);
	}
	return rc;
}

static int dom_devices(struct xd_dom *d)
{
	const struct vbe_xen_domain *c = d->cfg;

	for (unsigned int k = 0U; k < c->dev_count; k++) {
		const struct vbe_xen_dev *x = &c->devs[k];
		const struct vbe_mmio_irq irq = { .set = dom_irq_set, .ctx = &d->irq[k] };
		struct vbe_xen_dm_op op = { .op = VBE_XEN_DMOP_MAP_IO_RANGE_TO_IOREQ_SERVER };
		const struct vbe_dev_ops *ops;
		void *be;
		int rc;

		d->irq[k] = (struct xd_irq){ .dom = d, .spi = x->spi };
		rc = vbe_sys_device(d->sys, c->guest, x->kind, &ops, &be);
		if (rc == 0) {
			rc = vbe_ioreq_bind(&d->ioreq, &d->mmio[k], x->base, ops, be, &d->mem, &irq,
					    c->grants != 0U);
		}
		if (rc == 0) {
			op.u.range.id = d->ioservid;
			op.u.range.type = VBE_XEN_DMOP_IO_RANGE_MEMORY;
			op.u.range.start = x->base;
			op.u.range.end = x->base + VBE_MMIO_WINDOW_SIZE - 1U;
			rc = (int)dom_dm(d, &op);
		}
		if (rc != 0) {
			VBE_LOG(VBE_LOG_ERR, "dom %u: device %u (kind %u) at %#llx: %d", c->domid, k,
				x->kind, (unsigned long long)x->base, rc);
			return rc;
		}
	}
	return 0;
}

static int dom_server(struct xd_dom *d)
{
	const struct vbe_xen_domain *c = d->cfg;
	struct vbe_xen_dm_op op = { .op = VBE_XEN_DMOP_CREATE_IOREQ_SERVER };
	long rc;

	op.u.create.handle_bufioreq = VBE_XEN_HVM_IOREQSRV_BUFIOREQ_OFF;
	rc = dom_dm(d, &op);
	if (rc != 0) {
		VBE_LOG(VBE_LOG_ERR, "dom %u: create_ioreq_server: %ld%s", c->domid, rc,
			rc == -ENOSYS ? " (a hypervisor built without CONFIG_IOREQ_SERVER)" : "");
		return (int)rc;
	}
	d->have_server = true;
	d->ioservid = op.u.create.id;
	d->page_gpa = xd_gpa_alloc(XD_PAGE_SIZE, XD_PAGE_SIZE);
	if (d->page_gpa == 0U) {
		return -ENOMEM;
	}
	rc = xd_acquire_ioreq_page(c->domid, d->ioservid, d->page_gpa);
	if (rc != 0) {
		VBE_LOG(VBE_LOG_ERR, "dom %u: mapping the ioreq page: %ld", c->domid, rc);
		d->page_gpa = 0U;
		return (int)rc;
	}
	return vbe_ioreq_init(&d->ioreq, (void *)(uintptr_t)d->page_gpa, c->vcpus, &dom_ioreq_ops,
			      d);
}

static int dom_enable_and_bind(struct xd_dom *d)
{
	const struct vbe_xen_domain *c = d->cfg;
	struct vbe_xen_dm_op op = { .op = VBE_XEN_DMOP_SET_IOREQ_SERVER_STATE };
	long rc;

	op.u.state.id = d->ioservid;
	op.u.state.enabled = 1U;
	rc = dom_dm(d, &op);
	if (rc != 0) {
		VBE_LOG(VBE_LOG_ERR, "dom %u: enabling the server: %ld", c->domid, rc);
		return (int)rc;
	}
	for (unsigned int v = 0U; v < c->vcpus; v++) {
		uint32_t remote = vbe_ioreq_vcpu_port(&d->ioreq, v);

		rc = xd_evtchn_bind_interdomain(c->domid, remote, &d->local_port[v]);
		if (rc != 0) {
			VBE_LOG(VBE_LOG_ERR, "dom %u: binding vCPU %u's channel %u: %ld", c->domid,
				v, remote, rc);
			return (int)rc;
		}
		d->ports = v + 1U;
	}
	return 0;
}

int xd_dom_start(struct xd_dom *d, const struct vbe_xen_domain *cfg, struct vbe_sys *sys)
{
	struct vbe_xen_dm_op op = { .op = VBE_XEN_DMOP_NR_VCPUS };
	long rc;

	memset(d, 0, sizeof(*d));
	d->cfg = cfg;
	d->sys = sys;
	if (cfg->guest >= sys->cfg->guest_count || cfg->vcpus == 0U ||
	    cfg->vcpus > VBE_IOREQ_MAX_VCPUS || cfg->dev_count > VBE_IOREQ_MAX_DEVICES) {
		VBE_LOG(VBE_LOG_ERR, "dom %u: guest %u, %u vCPUs, %u devices: this Dom0 serves "
				     "1..%u vCPUs and %u devices of a guest of the system",
			cfg->domid, cfg->guest, cfg->vcpus, cfg->dev_count, VBE_IOREQ_MAX_VCPUS,
			VBE_IOREQ_MAX_DEVICES);
		return -EINVAL;
	}
	rc = dom_dm(d, &op);
	if (rc != 0) {
		VBE_LOG(VBE_LOG_ERR, "dom %u: no such domain (%ld)", cfg->domid, rc);
		return (int)rc;
	}
	if (op.u.nr_vcpus.vcpus != cfg->vcpus) {
		VBE_LOG(VBE_LOG_ERR, "dom %u: %u vCPUs, the table says %u", cfg->domid,
			op.u.nr_vcpus.vcpus, cfg->vcpus);
		return -EINVAL;
	}
	rc = dom_memory(d);
	if (rc == 0) {
		rc = dom_server(d);
	}
	if (rc == 0) {
		rc = dom_devices(d);
	}
	if (rc == 0) {
		rc = dom_enable_and_bind(d);
	}
	if (rc != 0) {
		xd_dom_stop(d);
		return (int)rc;
	}
	d->live = true;
	return 0;
}

/* ---- serve ------------------------------------------------------------------------------- */

bool xd_dom_service(struct xd_dom *d)
{
	bool pending = false;

	if (!d->live) {
		return false;
	}
	/* Clear before looking at the slots: an event after this stays pending for the poll. */
	for (unsigned int v = 0U; v < d->ports; v++) {
		pending = xd_evtchn_test_and_clear(d->local_port[v]) || pending;
	}
	if (pending) {
		d->events++;
	} else if (!vbe_ioreq_more(&d->ioreq)) {
		return false;
	}
	/* Every READY slot, then the devices whose queues were notified or which spent their
	 * budget last time (the serve loop comes back before it blocks). */
	return vbe_ioreq_poll(&d->ioreq, false);
}

bool xd_dom_run_all(struct xd_dom *d)
{
	bool worked = false;

	for (unsigned int k = 0U; d->live && k < d->cfg->dev_count; k++) {
		worked = vbe_mmio_poll(&d->mmio[k], true) || worked;
	}
	return worked;
}

/* ---- stop ---------------------------------------------------------------------------------- */

void xd_dom_stop(struct xd_dom *d)
{
	const struct vbe_xen_domain *c = d->cfg;

	if (c == NULL) {
		return;
	}
	d->live = false;
	if (d->have_server) {
		struct vbe_xen_dm_op op = { .op = VBE_XEN_DMOP_DESTROY_IOREQ_SERVER };

		op.u.destroy.id = d->ioservid;
		(void)dom_dm(d, &op); /* a domain already gone took its servers with it */
		d->have_server = false;
	}
	for (unsigned int v = 0U; v < d->ports; v++) {
		(void)xd_evtchn_close(d->local_port[v]);
	}
	d->ports = 0U;
	/* a device reset: the backend forgets the driver (an SCMI agent's votes go) */
	for (unsigned int k = 0U; k < c->dev_count; k++) {
		if (d->mmio[k].dev.ops != NULL) {
			(void)vbe_mmio_write(&d->mmio[k], VBE_MMIO_STATUS, 4U, 0U);
		}
	}
	if (c->grants != 0U && d->gnt.ops != NULL && d->gnt.stats.live != 0U) {
		/* the reset released every ring and buffer: what is left is a bug, but the
		 * granted frames must not stay mapped (the guest could not end their grants) */
		VBE_LOG(VBE_LOG_ERR, "dom %u: %u grant mappings left after the reset: %u pages "
			"unmapped", c->domid, (unsigned int)d->gnt.stats.live, xd_gnt_release(d));
	}
	if (d->page_gpa != 0U) {
		(void)xd_unmap(d->page_gpa, 1U);
		d->page_gpa = 0U;
	}
	/* the domain's pages stay referenced (a zombie domain) until these go */
	for (uint64_t f = 0U; d->lazy.mapped != 0U && f < d->lazy.frames; f++) {
		if (vbe_memtab_lazy_mapped(&d->lazy, f)) {
			(void)xd_unmap(d->ram_gpa + (f << XD_PAGE_SHIFT), 1U);
		}
	}
	if (d->lazy.map != NULL) {
		vbe_memtab_lazy_forget(&d->lazy);
	}
}

int xd_dom_destroy(struct xd_dom *d)
{
	struct xd_domctl dc;
	long rc;

	xd_dom_stop(d);
	memset(&dc, 0, sizeof(dc));
	dc.cmd = XD_DOMCTL_DESTROYDOMAIN;
	dc.domain = d->cfg->domid;
	rc = xd_domctl(&dc);
	VBE_LOG(rc == 0 ? VBE_LOG_INF : VBE_LOG_ERR, "dom %u: destroyed: %ld", d->cfg->domid, rc);
	return (int)rc;
}

int xd_dom_alive(const struct xd_dom *d, uint32_t *flags)
{
	struct xd_domctl dc;
	long rc;

	memset(&dc, 0, sizeof(dc));
	dc.cmd = XD_DOMCTL_GETDOMAININFO;
	dc.domain = d->cfg->domid;
	*flags = 0U;
	rc = xd_domctl(&dc);
	if (rc == -ESRCH || (rc == 0 && dc.u.getdomaininfo.domain != d->cfg->domid)) {
		return 0; /* gone: no domain there, or Xen answered for the next one */
	}
	if (rc != 0) {
		return (int)rc; /* cannot tell (-EACCES: another Xen's domctl interface) */
	}
	*flags = dc.u.getdomaininfo.flags;
	return (*flags & (XD_DOMINF_DYING | XD_DOMINF_SHUTDOWN)) == 0U ? 1 : 0;
}

/* ---- statistics ------------------------------------------------------------------------------ */

static void dom_refused(const uint32_t *r, unsigned int n)
{
	bm_printf(" refused=");
	for (unsigned int i = 0U; i < n; i++) {
		bm_printf("%s%u", i != 0U ? "," : "", (unsigned int)r[i]);
	}
}

void xd_dom_stats(const struct xd_dom *d)
{
	const struct vbe_xen_domain *c = d->cfg;
	const struct vbe_ioreq_stats *st = &d->ioreq.stats;
	const struct vbe_gnt_stats *gs = &d->gnt.stats;

	bm_printf("stats domid=%u guest=%s live=%u events=%u served=%u reads=%u writes=%u "
		  "spurious=%u frames=%u frame_maps=%u", c->domid, c->name, d->live ? 1U : 0U,
		  (unsigned int)d->events, (unsigned int)st->served, (unsigned int)st->reads,
		  (unsigned int)st->writes, (unsigned int)st->spurious, (unsigned int)d->lazy.mapped,
		  (unsigned int)d->lazy.map_calls);
	dom_refused(st->refused, VBE_IOREQ_REFUSAL_COUNT);
	/* vbe-xen's grant fields, same names (pyhost.xen.platform.parse_stats) */
	bm_printf(" grants=%u maps=%u unmaps=%u pages=%u mapped=%u mapped_max=%u "
		  "mapped_pages=%u mapped_pages_max=%u map_ns=%llu unmap_ns=%llu "
		  "gnt_refused=%u,%u,%u,%u gnt_window_full=%u",
		  (unsigned int)c->grants, (unsigned int)gs->maps, (unsigned int)gs->unmaps,
		  (unsigned int)gs->pages, (unsigned int)gs->live, (unsigned int)gs->live_max,
		  (unsigned int)gs->live_pages, (unsigned int)gs->live_pages_max,
		  (unsigned long long)xd_ticks_to_ns(d->gnt_map_ticks),
		  (unsigned long long)xd_ticks_to_ns(d->gnt_unmap_ticks),
		  (unsigned int)gs->refused[VBE_GNT_NOT_GRANT],
		  (unsigned int)gs->refused[VBE_GNT_BAD_REF],
		  (unsigned int)gs->refused[VBE_GNT_TOO_LONG],
		  (unsigned int)gs->refused[VBE_GNT_MAP_FAILED], (unsigned int)d->gnt_window_full);
	bm_printf("\n");
	for (unsigned int k = 0U; k < c->dev_count; k++) {
		const struct vbe_mmio *m = &d->mmio[k];
		const struct vbe_mmio_stats *ms = &m->stats;

		bm_printf("stats domid=%u dev=%u kind=%s base=%#llx spi=%u status=%#x "
			  "features=%#llx fault=%u,%u reads=%u writes=%u notifies=%u "
			  "interrupts=%u raised=%u resets=%u popped=%u,%u",
			  c->domid, k, c->devs[k].kind == VBE_XEN_DEV_SCMI ? "scmi" : "i2c",
			  (unsigned long long)c->devs[k].base, (unsigned int)d->irq[k].spi,
			  (unsigned int)m->dev.status, (unsigned long long)m->dev.features,
			  (unsigned int)m->dev.fault[0], (unsigned int)m->dev.fault[1],
			  (unsigned int)ms->reads, (unsigned int)ms->writes,
			  (unsigned int)ms->notifies, (unsigned int)ms->interrupts,
			  (unsigned int)d->irq[k].raised, (unsigned int)ms->resets,
			  (unsigned int)m->dev.vq[0].popped, (unsigned int)m->dev.vq[1].popped);
		dom_refused(ms->refused, VBE_MMIO_REFUSAL_COUNT);
		/* the rings as the driver programmed them (guest or grant addresses) */
		bm_printf(" qsize=%u,%u desc=%#llx,%#llx avail=%#llx,%#llx used=%#llx,%#llx",
			  (unsigned int)m->queue[0].cfg.size, (unsigned int)m->queue[1].cfg.size,
			  (unsigned long long)m->queue[0].cfg.desc,
			  (unsigned long long)m->queue[1].cfg.desc,
			  (unsigned long long)m->queue[0].cfg.avail,
			  (unsigned long long)m->queue[1].cfg.avail,
			  (unsigned long long)m->queue[0].cfg.used,
			  (unsigned long long)m->queue[1].cfg.used);
		bm_printf("\n");
	}
}
